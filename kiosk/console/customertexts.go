package console

import "maps"

// customerTexts are the customers' pages' texts, added to texts.
var customerTexts = map[string]map[string]string{
	"it": {
		"search_title": "Cerca un cliente", "search_label": "Nome, telefono, e-mail o codice fiscale",
		"search_hint": "Basta l'inizio del nome; una lettera sbagliata va bene. ↓ per scegliere, Invio per aprire.",
		"search_go":   "Cerca", "search_none": "Nessun cliente trovato. Controlla il nome o cerca per telefono.", "born": "nato/a il",
	},
	"en": {
		"search_title": "Find a customer", "search_label": "Name, phone, e-mail or codice fiscale",
		"search_hint": "The start of the name will do; one wrong letter is fine. ↓ to choose, Enter to open.",
		"search_go":   "Search", "search_none": "No customer found. Check the name or search by phone.", "born": "born",
	},
}

func init() {
	for lang, t := range customerTexts {
		maps.Copy(texts[lang], t)
	}
}
