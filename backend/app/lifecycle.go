package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/vista-optical/vista/backend/web"
)

// listen opens the public listener and, unless turned off, the operator's.
func (m *Main) listen() error {
	var err error
	if m.ln, err = net.Listen("tcp", m.Config.HTTPAddr); err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.HTTPAddr, err)
	}
	if m.Config.AdminAddr != "" && m.Config.AdminAddr != "off" {
		if m.adminLn, err = net.Listen("tcp", m.Config.AdminAddr); err != nil {
			return fmt.Errorf("admin listener on %s: %w", m.Config.AdminAddr, err)
		}
		m.admin = &http.Server{Handler: web.AdminHandler(m.metrics), ReadHeaderTimeout: 5 * time.Second}
	}
	return nil
}

// AdminHandler serves the operator listener (metrics, pprof), or is nil
// when it is off.
func (m *Main) AdminHandler() http.Handler {
	if m.admin == nil {
		return nil
	}
	return m.admin.Handler
}

// AdminAddr is the address of the operator listener, or "" when it is off.
func (m *Main) AdminAddr() string {
	if m.adminLn == nil {
		return ""
	}
	return m.adminLn.Addr().String()
}

// Start serves HTTP on the bound listener and starts the workers.
func (m *Main) Start() {
	if m.admin != nil {
		go func() {
			if err := m.admin.Serve(m.adminLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.Logger.Warn("admin listener stopped", "err", err)
			}
		}()
	}
	if m.Config.Has(RoleKiosk) {
		// Before serving, so that a screen connecting at once starts
		// where the log ends; on failure screens wait for Run.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := m.Hub.Init(ctx); err != nil {
			m.Logger.Warn("screen events: cannot read the log", "err", err)
		}
		cancel()
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.App.Listener(m.ln) }()
	if m.Config.Has(RoleKiosk) {
		var hubCtx context.Context
		hubCtx, m.stopHub = context.WithCancel(context.Background())
		m.workers.Add(1)
		go func() {
			defer m.workers.Done()
			m.Hub.Run(hubCtx)
		}()
	}
	var syncCtx context.Context
	syncCtx, m.stopSync = context.WithCancel(context.Background())
	m.workers.Add(1)
	go func() {
		defer m.workers.Done()
		m.syncRevocations(syncCtx)
	}()
	if m.jobs != nil {
		var ctx context.Context
		ctx, m.cancelJobs = context.WithCancel(context.Background())
		m.jobs.Start(ctx)
		m.workers.Add(1)
		go func() {
			defer m.workers.Done()
			m.Dispatcher.Run(ctx)
		}()
	}
}

// Addr is the address the program listens on (useful with port 0).
func (m *Main) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Close stops accepting connections, lets in-flight requests finish within
// the grace period, stops the workers and closes the store. Close is safe
// to call on a partly opened program.
func (m *Main) Close() error {
	var errs []error
	if m.Hub != nil {
		// Screens' event streams never end by themselves: end them first,
		// so the server's shutdown does not wait out its grace for them
		// (the screens reconnect, to this instance or another).
		m.Hub.Close()
	}
	if m.stopHub != nil {
		m.stopHub()
	}
	switch {
	case m.App != nil && m.served != nil:
		errs = append(errs, m.App.ShutdownWithTimeout(m.Config.ShutdownGrace))
	case m.ln != nil:
		errs = append(errs, m.ln.Close()) // bound, never served
	}
	if m.admin != nil {
		_ = m.admin.Close() // closes the listener when it was serving
	}
	if m.adminLn != nil {
		_ = m.adminLn.Close() // and when it was not
	}
	if m.stopSync != nil {
		m.stopSync()
	}
	if m.cancelJobs != nil {
		m.cancelJobs()
		m.jobs.Wait()
	}
	m.workers.Wait() // the dispatcher records the outcome of sends in flight
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
		m.Store = nil
	}
	return errors.Join(errs...)
}
