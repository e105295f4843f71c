package mobileapi

import (
	"html/template"
	texttemplate "text/template"

	"github.com/vista-optical/vista/backend/validate"
)

var widgetT = texttemplate.Must(texttemplate.New("widget").Parse(`(function () {
  var s = document.currentScript, base = new URL(s.src), q = new URLSearchParams();
  q.set("src", s.getAttribute("data-src") || "website");
  q.set("embed", "1");
  if (s.getAttribute("data-lang")) q.set("lang", s.getAttribute("data-lang"));
  new URLSearchParams(location.search).forEach(function (v, k) { if (k.indexOf("utm_") === 0) q.set(k, v); });
  var f = document.createElement("iframe");
  f.src = base.origin + {{.Path}} + "?" + q.toString();
  f.title = "Prenota un appuntamento";
  f.loading = "lazy";
  f.style.cssText = "width:100%;min-height:640px;border:0";
  s.parentNode.insertBefore(f, s.nextSibling);
})();
`))

var bookingTexts = map[string]map[string]string{
	"it": {"title": "Prenota", "pick_service": "Che cosa vuoi prenotare?", "pick_day": "Scegli il giorno", "pick_time": "Scegli l'orario",
		"free": "orari liberi", "minutes": "min", "next": "Giorni successivi", "back": "Indietro", "none": "Nessun orario libero in questi giorni.",
		"no_services": "Questo negozio non ha ancora servizi prenotabili online: chiamaci.",
		"details":     "I tuoi dati", "name": "Nome e cognome", "phone": "Telefono", "email": "E-mail", "either": "Indica un telefono o un'e-mail (o entrambi).",
		"consent": "Acconsento a essere contattato da questo negozio solo per questo appuntamento, ai recapiti indicati.",
		"confirm": "Conferma la prenotazione", "taken": "Questo orario è appena stato preso da qualcun altro: scegline un altro.",
		"pick_slot": "Scegli un orario.", "bad_phone": "Il numero di telefono non è valido.", "confirmed": "Prenotazione confermata",
		"cancelled": "Prenotazione annullata", "calendar": "Aggiungi al calendario (.ics)", "cancel": "Annulla la prenotazione",
		"where": "Dove", "when": "Quando", "what": "Servizio", "keep": "Conserva questa pagina: da qui puoi annullare.", "other": "English",
		"cutoff": "Non è più possibile annullare o spostare online questo appuntamento: chiama il negozio.",
		"sure":   "Vuoi davvero annullare questo appuntamento? Il posto tornerà libero per altri.", "yes_cancel": "Sì, annulla", "no_keep": "No, lo tengo"},
	"en": {"title": "Book", "pick_service": "What would you like to book?", "pick_day": "Pick a day", "pick_time": "Pick a time",
		"free": "free times", "minutes": "min", "next": "Later days", "back": "Back", "none": "No free time on these days.",
		"no_services": "This shop has no services bookable online yet: please call us.",
		"details":     "Your details", "name": "Full name", "phone": "Phone", "email": "E-mail", "either": "Give a phone number or an e-mail address (or both).",
		"consent": "I agree to be contacted by this shop about this appointment only, on the details I gave.",
		"confirm": "Confirm the booking", "taken": "Someone just took this time: please pick another.",
		"pick_slot": "Pick a time.", "bad_phone": "This phone number is not valid.", "confirmed": "Booking confirmed",
		"cancelled": "Booking cancelled", "calendar": "Add to calendar (.ics)", "cancel": "Cancel the booking",
		"where": "Where", "when": "When", "what": "Service", "keep": "Keep this page: you can cancel from here.", "other": "Italiano",
		"cutoff": "This appointment can no longer be cancelled or moved online: please call the shop.",
		"sure":   "Do you really want to cancel this appointment? The time will be free for others.", "yes_cancel": "Yes, cancel", "no_keep": "No, keep it"},
}

const pageStyle = `<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:1rem auto;padding:0 1rem;line-height:1.4}
a{color:#0b4f8a}ul.pick{list-style:none;padding:0}ul.pick li{margin:.4rem 0}ul.pick a{display:block;padding:.7rem;border:1px solid #99a;border-radius:.4rem;text-decoration:none}
fieldset{border:0;padding:0}.slots{display:flex;flex-wrap:wrap;gap:.4rem}.slots label{border:1px solid #99a;border-radius:.4rem;padding:.5rem .7rem}
label.f{display:block;margin:.6rem 0}input[type=text],input[type=tel],input[type=email]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{width:100%;padding:.8rem;font-size:1.1rem;margin:.8rem 0}.error{color:#a40000;font-weight:600}.ok{color:#0a5c2a}small{color:#445}</style>`

// pageFuncs are what the public pages' templates use besides the
// standard ones.
var pageFuncs = template.FuncMap{"phone": validate.DisplayPhone}

var bookingT = template.Must(template.New("booking").Funcs(pageFuncs).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.title}} · {{.Shop.Name}}</title>` + pageStyle + `</head>
<body>
<header><p><a href="{{.Other}}" hreflang="{{if eq .Lang "en"}}it{{else}}en{{end}}" id="other-lang">{{.T.other}}</a></p>
<h1 id="shop">{{.Shop.Name}}</h1><p>{{.Shop.Address}}{{if .Shop.Phone}} · <a href="tel:{{.Shop.Phone}}">{{phone .Shop.Phone}}</a>{{end}}</p></header>
<main>
{{if .Error}}<p class="error" role="alert" id="problem">{{.Error}}</p>{{end}}
{{if not .Service}}
  <h2>{{.T.pick_service}}</h2>
  {{if .Services}}<ul class="pick" id="services">{{range .Services}}<li><a href="{{.Href}}">{{.Name}} <small>· {{.Min}} {{$.T.minutes}}</small></a></li>{{end}}</ul>
  {{else}}<p>{{.T.no_services}}</p>{{end}}
{{else if not .Day}}
  <h2>{{.ServiceName}}</h2><p><a href="{{.Back}}">← {{.T.back}}</a></p>
  <h3>{{.T.pick_day}}</h3>
  {{if .Days}}<ul class="pick" id="days">{{range .Days}}<li><a href="{{.Href}}" data-date="{{.Date}}">{{.Label}} <small>· {{.Free}} {{$.T.free}}</small></a></li>{{end}}</ul>
  {{else}}<p>{{.T.none}}</p>{{end}}
  <p><a href="{{.Next}}" id="later">{{.T.next}} →</a></p>
{{else}}
  <h2>{{.ServiceName}}</h2><p><a href="{{.Back}}">← {{.T.back}}</a></p>
  <form method="post" id="book">
  <input type="hidden" name="service" value="{{.Service.ID}}"><input type="hidden" name="day" value="{{.Day}}">
  <input type="hidden" name="key" value="{{.Key}}"><input type="hidden" name="src" value="{{.Touch.Source}}">
  <input type="hidden" name="lang" value="{{.Lang}}">{{if .Embed}}<input type="hidden" name="embed" value="1">{{end}}
  {{range $k, $v := .Touch.UTM}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
  <fieldset><legend><h3>{{.T.pick_time}} · {{.DayLabel}}</h3></legend>
  {{if .Slots}}<div class="slots" id="slots">{{range .Slots}}<label><input type="radio" name="slot" value="{{.Value}}" required> {{.Label}}</label>{{end}}</div>
  {{else}}<p>{{.T.none}}</p>{{end}}</fieldset>
  <fieldset><legend><h3>{{.T.details}}</h3></legend>
  <label class="f">{{.T.name}} <input type="text" name="name" required maxlength="100" autocomplete="name" value="{{.Form.Get "name"}}"></label>
  <label class="f">{{.T.phone}} <input type="tel" name="phone" maxlength="32" autocomplete="tel" value="{{.Form.Get "phone"}}"></label>
  <label class="f">{{.T.email}} <input type="email" name="email" maxlength="254" autocomplete="email" value="{{.Form.Get "email"}}"></label>
  <p><small>{{.T.either}}</small></p>
  <label class="f"><input type="checkbox" name="consent" required> {{.T.consent}}</label>
  </fieldset>
  <button type="submit" id="confirm">{{.T.confirm}}</button>
  </form>
{{end}}
</main></body></html>`))

var confirmT = template.Must(template.New("confirm").Funcs(pageFuncs).Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{if .Cancelled}}{{.T.cancelled}}{{else}}{{.T.confirmed}}{{end}} · {{.Shop.Name}}</title>` + pageStyle + `</head>
<body><main>
{{if .Error}}<p class="error" role="alert" id="problem">{{.Error}}</p>{{end}}
<h1 id="status" class="{{if .Cancelled}}error{{else}}ok{{end}}">{{if .Cancelled}}{{.T.cancelled}}{{else}}{{.T.confirmed}}{{end}}</h1>
<dl><dt>{{.T.what}}</dt><dd id="service">{{.B.ServiceName}}</dd>
<dt>{{.T.when}}</dt><dd id="when">{{.When}}</dd>
<dt>{{.T.where}}</dt><dd>{{.Shop.Name}}, {{.Shop.Address}}{{if .Shop.Phone}} · <a href="tel:{{.Shop.Phone}}">{{phone .Shop.Phone}}</a>{{end}}</dd></dl>
{{if not .Cancelled}}
<p><a id="ics" href="/v1/public/bookings/{{.Token}}/calendar.ics" download="appuntamento.ics">{{.T.calendar}}</a></p>
<p><small>{{.T.keep}}</small></p>
{{if and .CanCancel .Asking}}<div id="ask" role="alertdialog" aria-labelledby="ask-q"><p id="ask-q"><strong>{{.T.sure}}</strong></p>
<form method="post" action="/prenota/b/{{.Token}}/annulla?lang={{.Lang}}{{if .Embed}}&amp;embed=1{{end}}"><input type="hidden" name="sure" value="1"><button type="submit" id="cancel-sure" autofocus>{{.T.yes_cancel}}</button>
<a href="/prenota/b/{{.Token}}?lang={{.Lang}}{{if .Embed}}&amp;embed=1{{end}}" id="keep">{{.T.no_keep}}</a></form></div>
{{else if .CanCancel}}<form method="post" action="/prenota/b/{{.Token}}/annulla?lang={{.Lang}}{{if .Embed}}&amp;embed=1{{end}}"><button type="submit" id="cancel">{{.T.cancel}}</button></form>
{{else}}<p id="call">{{.T.cutoff}}{{if .Shop.Phone}} <a href="tel:{{.Shop.Phone}}">{{phone .Shop.Phone}}</a>{{end}}</p>{{end}}
{{end}}
</main></body></html>`))
