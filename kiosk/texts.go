package kiosk

var texts = map[string]map[string]string{
	"it": {
		"pair_title": "Collega questo schermo", "pair_help": "Nella console Vista, in «Schermi», crea un codice di collegamento e scrivilo qui. Vale 10 minuti.",
		"code": "Codice", "label": "Nome dello schermo (es. Vetrina)", "language": "Lingua dello schermo", "pair": "Collega",
		"pair_unknown": "Codice sconosciuto: controlla e riprova, o chiedine uno nuovo.", "pair_gone": "Questo codice è già stato usato o è scaduto: chiedine uno nuovo.",
		"pair_too_many": "Troppi tentativi: riprova tra qualche minuto.",
		"offers":        "Offerte", "novelties": "Novità", "promoted": "In promozione", "search": "Cerca un prodotto", "search_go": "Cerca",
		"close": "Chiudi", "no_results": "Nessun prodotto trovato.", "until": "fino al", "offline": "Connessione assente: mostro gli ultimi contenuti.",
		"scan": "Inquadra per aprirlo sul telefono", "reserve": "Prenotabile online", "collect": "Ritiro in negozio oggi",
		"not_reserve": "Chiedi in negozio", "list_price": "Prezzo di listino", "empty": "Benvenuto!",
		"visit_qr": "Inquadra con il telefono: la visita entra nell'app", "visit_qr_alt": "Codice QR della visita", "hello": "Ciao", "end_visit": "Ho finito", "shop": "Negozio", "phone": "Telefono", "price": "Prezzo", "colour": "Colore", "model": "Modello",
		"frames": "Montature", "sunglasses": "Occhiali da sole", "contact_lenses": "Lenti a contatto", "lens_care": "Cura delle lenti", "accessories": "Accessori",
		"all": "Tutti", "not_found": "Prodotto non disponibile.",
		"layout": "Uso dello schermo", "layout_totem": "Totem touch in negozio", "layout_window": "Vetrina (si guarda da fuori)",
		"scan_window": "Inquadra: dettagli e prenotazione", "come_in": "Entra a trovarci", "see_you": "Ti aspettiamo", "today_open": "Oggi aperto %s", "today_closed": "Oggi chiuso",
	},
	"en": {
		"pair_title": "Pair this screen", "pair_help": "In the Vista console, under “Screens”, create a pairing code and type it here. It is valid for 10 minutes.",
		"code": "Code", "label": "Screen name (e.g. Window)", "language": "Screen language", "pair": "Pair",
		"pair_unknown": "Unknown code: check it and try again, or ask for a new one.", "pair_gone": "This code was already used or has expired: ask for a new one.",
		"pair_too_many": "Too many attempts: try again in a few minutes.",
		"offers":        "Offers", "novelties": "New in", "promoted": "On offer", "search": "Search a product", "search_go": "Search",
		"close": "Close", "no_results": "No products found.", "until": "until", "offline": "No connection: showing the latest content.",
		"scan": "Scan to open it on your phone", "reserve": "Can be reserved online", "collect": "Collect in the shop today",
		"not_reserve": "Ask in the shop", "list_price": "List price", "empty": "Welcome!",
		"visit_qr": "Scan with your phone: the visit joins your app", "visit_qr_alt": "Visit QR code", "hello": "Hello", "end_visit": "I'm done", "shop": "Shop", "phone": "Phone", "price": "Price", "colour": "Colour", "model": "Model",
		"frames": "Frames", "sunglasses": "Sunglasses", "contact_lenses": "Contact lenses", "lens_care": "Lens care", "accessories": "Accessories",
		"all": "All", "not_found": "Product not available.",
		"layout": "How the screen is used", "layout_totem": "Touch totem in the shop", "layout_window": "Window (seen from outside)",
		"scan_window": "Scan: details and booking", "come_in": "Come in and see us", "see_you": "We look forward to seeing you", "today_open": "Open today %s", "today_closed": "Closed today",
	},
}
