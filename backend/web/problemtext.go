package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vista-optical/vista/backend/core"
)

// Problems are in English unless the client prefers Italian
// (Accept-Language): then the detail says what kind of problem it is and
// every field error says, by its code, what is wrong with the field. The
// codes stay, for an app that translates them itself.

// prefersItalian reports whether the first language of Accept-Language
// is Italian.
func prefersItalian(c *fiber.Ctx) bool {
	al := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderAcceptLanguage)))
	return strings.HasPrefix(al, "it")
}

// italianDetail is the detail of a problem, by its type.
var italianDetail = map[string]string{
	core.EMALFORMED:          "La richiesta non si può leggere.",
	core.EINVALID:            "Alcuni campi non sono validi.",
	core.EUNAUTHORIZED:       "Accesso necessario, oppure credenziali non valide.",
	core.EFORBIDDEN:          "Non hai i permessi per questa operazione.",
	core.ENOTFOUND:           "Non trovato.",
	core.ECONFLICT:           "La modifica è in conflitto con lo stato attuale.",
	core.ETOOMANY:            "Troppi tentativi: riprova più tardi.",
	core.EGONE:               "Il link è già stato usato o è scaduto: chiedine uno nuovo.",
	core.EUNAVAILABLE:        "Servizio momentaneamente non disponibile: riprova tra poco.",
	core.EINTERNAL:           "Qualcosa non ha funzionato da parte nostra; il codice della richiesta ci aiuta a trovarlo.",
	"too_large":              "La richiesta è troppo grande.",
	"unsupported_media_type": "Il corpo della richiesta deve essere application/json.",
	"method_not_allowed":     "Metodo non consentito su questo indirizzo.",
	"headers_too_large":      "Le intestazioni della richiesta sono troppo grandi.",
	"timeout":                "La richiesta è arrivata troppo lentamente.",
}

// italianField is a field error's message, by its code; %s is the bound.
var italianField = map[string]string{
	"required":            "è obbligatorio",
	"invalid_email":       "deve essere un indirizzo e-mail",
	"invalid_phone":       "deve essere un numero di telefono in formato internazionale, come +393401234567",
	"invalid_date":        "deve essere una data scritta AAAA-MM-GG",
	"out_of_range":        "deve essere compreso tra %s",
	"has_free_slots":      "ha ancora orari liberi: prenotane uno",
	"too_short":           "deve avere almeno %s caratteri",
	"too_long":            "deve avere al massimo %s caratteri",
	"too_small":           "deve essere almeno %s",
	"too_large":           "deve essere al massimo %s",
	"too_many":            "può avere al massimo %s elementi",
	"not_allowed":         "non è tra i valori ammessi",
	"invalid_characters":  "contiene caratteri non ammessi",
	"invalid":             "non è valido",
	"no_words":            "deve contenere un nome, un numero di telefono, un'e-mail o un codice fiscale",
	"length":              "deve avere da %s caratteri",
	"invalid_slug":        "solo lettere minuscole, cifre e trattini singoli, come centro-bergamo",
	"invalid_time_zone":   "deve essere un fuso orario come Europe/Rome",
	"invalid_store_url":   "deve essere un indirizzo https:// di al massimo 500 caratteri",
	"invalid_time":        "gli orari si scrivono HH:MM, da 00:00 a 23:59",
	"closes_before_open":  "la chiusura deve venire dopo l'apertura",
	"overlap":             "le fasce orarie vanno in ordine e non si sovrappongono",
	"invalid_day_of_year": "deve essere un giorno dell'anno MM-GG, come 12-07",
	"duplicate_date":      "c'è già una riga per questa data",
	"closed_with_periods": "un giorno chiuso non ha fasce orarie",
	"taken":               "è già usato da un altro negozio",
	"already_staff":       "è già nello staff",
	"shop_for_role":       "va indicato per un manager o un assistente, e non per un titolare",
	"unknown_shop":        "deve essere un negozio della catena",
	"invalid_tax_code":    "deve essere un codice fiscale di 16 caratteri, come RSSMRA85T10A562S",
	"minor":               "sotto i 18 anni: aggiungilo come familiare di un genitore",
	"email_taken":         "appartiene già a un altro cliente: cercalo invece di crearne uno nuovo",
}

// httpCodes names Fiber's own refusals as problem types.
var httpCodes = map[int]string{
	fiber.StatusRequestEntityTooLarge:       "too_large",
	fiber.StatusUnsupportedMediaType:        "unsupported_media_type",
	fiber.StatusMethodNotAllowed:            "method_not_allowed",
	fiber.StatusRequestHeaderFieldsTooLarge: "headers_too_large",
	fiber.StatusRequestTimeout:              "timeout",
	fiber.StatusTooManyRequests:             core.ETOOMANY,
	fiber.StatusNotFound:                    core.ENOTFOUND,
	fiber.StatusBadRequest:                  core.EMALFORMED,
	fiber.StatusUnprocessableEntity:         core.EINVALID,
	fiber.StatusInternalServerError:         core.EINTERNAL,
	fiber.StatusServiceUnavailable:          core.EUNAVAILABLE,
	fiber.StatusUnauthorized:                core.EUNAUTHORIZED,
	fiber.StatusForbidden:                   core.EFORBIDDEN,
	fiber.StatusConflict:                    core.ECONFLICT,
	fiber.StatusGone:                        core.EGONE,
}

// localize fills the field codes and, for a client that prefers Italian,
// turns the detail and field messages into Italian.
func localize(c *fiber.Ctx, p *Problem, code string) {
	fields := make([]core.FieldError, len(p.Errors))
	copy(fields, p.Errors)
	for i := range fields {
		if fields[i].Code == "" {
			fields[i].Code = "invalid"
		}
	}
	p.Errors = fields
	if !prefersItalian(c) {
		return
	}
	p.Detail = DetailText("it", code, p.Detail)
	for i, f := range p.Errors {
		p.Errors[i].Message = FieldText("it", f)
	}
	c.Set(fiber.HeaderContentLanguage, "it")
}

// DetailText is the detail of a problem of type code in lang: Italian
// where there is one ("it"), else fallback.
func DetailText(lang, code, fallback string) string {
	if d, ok := italianDetail[code]; ok && lang == "it" {
		return d
	}
	return fallback
}

// FieldText is f's message in lang: for "it" the Italian of its code
// where there is one (and the bound it names), else f's own message.
func FieldText(lang string, f core.FieldError) string {
	m, ok := italianField[f.Code]
	if !ok || lang != "it" {
		return f.Message
	}
	if strings.Contains(m, "%s") {
		if f.Param == "" {
			return f.Message // no bound to say: keep the English message
		}
		m = strings.Replace(m, "%s", f.Param, 1)
	}
	return m
}
