package console

var texts = map[string]map[string]string{
	"it": {
		"title": "Console Vista", "login_title": "Accedi alla console", "email": "E-mail", "password": "Password",
		"submit": "Accedi", "bad_credentials": "E-mail o password non corretti.", "too_many": "Troppi tentativi: riprova tra qualche minuto.",
		"hello": "Ciao", "role_owner": "titolare", "role_manager": "responsabile", "role_assistant": "assistente",
		"customers": "Clienti", "shops": "Negozi", "none": "Nessun cliente registrato in questo negozio.", "logout": "Esci",
		"name": "Nome", "since": "Cliente dal",
		"dead": "Messaggi non consegnati", "retry": "Riprova",
		"reservations": "Richieste di riordino", "recalls": "Richiami telefonici", "note": "Nota", "reason": "Motivo",
		"when": "Quando", "nothing": "Niente da fare.", "next_page": "Successivi →", "first_page": "← Dall'inizio",
	},
	"en": {
		"title": "Vista console", "login_title": "Sign in to the console", "email": "E-mail", "password": "Password",
		"submit": "Sign in", "bad_credentials": "E-mail or password is not correct.", "too_many": "Too many attempts: try again in a few minutes.",
		"hello": "Hello", "role_owner": "owner", "role_manager": "manager", "role_assistant": "assistant",
		"customers": "Customers", "shops": "Shops", "none": "No customers registered in this shop yet.", "logout": "Sign out",
		"name": "Name", "since": "Customer since",
		"dead": "Undelivered messages", "retry": "Retry",
		"reservations": "Reorder requests", "recalls": "Phone recalls", "note": "Note", "reason": "Reason",
		"when": "When", "nothing": "Nothing to do.", "next_page": "Next →", "first_page": "← Back to the start",
	},
}
