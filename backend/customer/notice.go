package customer

import "github.com/vista-optical/vista/backend/core"

// Notice is the privacy notice a person reads where they sign up on the
// web, in one language: its version is recorded with every consent
// given under it, so the chain can show what a customer agreed to.
type Notice struct {
	Version string
	// Text holds %s for the chain's name, the data controller.
	Text string
	// Choices are the consents asked, each with its label.
	Choices []NoticeChoice
}

// NoticeChoice is one consent a notice asks for.
type NoticeChoice struct {
	Channel core.Channel
	Purpose core.Purpose
	Label   string
}

// WebNotices are the notices of the web sign-up, by language. A change of
// text is a new version: never edit one in place.
var WebNotices = map[string]Notice{
	"it": {
		Version: "privacy-web-it-2026-12",
		Text: "Titolare del trattamento è %s. Usiamo nome, data di nascita, e-mail e le visite in negozio per gestire il tuo profilo " +
			"cliente, le visite e gli appuntamenti; la data di nascita serve anche a verificare che tu abbia almeno 14 anni. " +
			"I consensi qui sotto sono facoltativi e li puoi revocare in ogni momento dall'app o in negozio, dove puoi anche chiedere " +
			"di vedere, correggere, esportare o cancellare i tuoi dati.",
		Choices: []NoticeChoice{
			{core.ChannelEmail, core.PurposeService, "Voglio ricevere per e-mail promemoria su appuntamenti, lenti e controlli"},
			{core.ChannelEmail, core.PurposeMarketing, "Voglio ricevere per e-mail offerte e novità del negozio"},
			{core.ChannelEmail, core.PurposeProfiling, "Accetto che visite e acquisti siano usati per offerte su misura per me"},
		},
	},
	"en": {
		Version: "privacy-web-en-2026-12",
		Text: "The data controller is %s. We use your name, date of birth, e-mail and visits to the shop to run your customer profile, " +
			"visits and appointments; the date of birth also shows that you are at least 14. The consents below are optional and you " +
			"can withdraw them at any time in the app or in the shop, where you can also ask to see, correct, export or erase your data.",
		Choices: []NoticeChoice{
			{core.ChannelEmail, core.PurposeService, "Send me e-mail reminders about appointments, lenses and check-ups"},
			{core.ChannelEmail, core.PurposeMarketing, "Send me the shop's offers and news by e-mail"},
			{core.ChannelEmail, core.PurposeProfiling, "Use my visits and purchases for offers made for me"},
		},
	},
}
