package app

// JobNames are the names of the worker's tasks, in order.
func (m *Main) JobNames() []string {
	if m.jobs == nil {
		return nil
	}
	names := make([]string, len(m.jobs.Tasks))
	for i, t := range m.jobs.Tasks {
		names[i] = t.Name
	}
	return names
}
