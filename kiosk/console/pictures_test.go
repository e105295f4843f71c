package console_test

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vista-optical/vista/backend/app/apptest"
	"github.com/vista-optical/vista/backend/core"
)

// photo is a w×h PNG with noise, so that it does not compress away: a
// phone's photo is megabytes.
func photo(t *testing.T, w, h int, transparent bool) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(7)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			seed = seed*1664525 + 1013904223
			a := uint8(255)
			if transparent && x < w/2 {
				a = 0
			}
			img.Set(x, y, color.NRGBA{uint8(seed >> 24), uint8(y), uint8(x), a})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func multipartImage(data []byte) ([]byte, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	f, _ := w.CreateFormFile("image", "foto.png")
	f.Write(data)
	w.Close()
	return body.Bytes(), w.FormDataContentType()
}

// TestProductPictures: a manager uploads a phone-sized photo; Vista
// shrinks it, serves it for a year with an ETag, keeps it when the
// product is saved again without one, and refuses what is not a picture
// or is too large before storing anything. Assistants upload nothing.
func TestProductPictures(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	var prod struct {
		ID       string `json:"id"`
		SKU      string `json:"sku"`
		ImageURL string `json:"image_url"`
	}
	c.Want(c.Do("POST", "/v1/staff/products", map[string]any{"sku": "PH-1", "brand": "Persol", "name": "PO3019S", "category": "sunglasses", "price_cents": 21000},
		apptest.Bearer(owner)...), 200).JSON(t, &prod)

	big := photo(t, 2400, 1600, false)
	if len(big) < 1<<20 {
		t.Fatalf("the test photo is %d bytes: too small to prove the upload limit", len(big))
	}
	c.Want(c.Do("PUT", "/v1/staff/products/"+prod.ID+"/image", big, append(apptest.Bearer(owner), "Content-Type", "image/png")...), 200).JSON(t, &prod)
	if !strings.HasPrefix(prod.ImageURL, "/media/") {
		t.Fatalf("image_url %q", prod.ImageURL)
	}
	r := c.Want(c.Do("GET", prod.ImageURL, nil), 200)
	cfg, format, err := image.DecodeConfig(bytes.NewReader(r.Body))
	if err != nil || format != "jpeg" || cfg.Width != 1600 || cfg.Height != 1066 || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("served %v %s %dx%d %s", err, format, cfg.Width, cfg.Height, r.Header.Get("Content-Type"))
	}
	etag := r.Header.Get("ETag")
	if r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || etag == "" {
		t.Fatalf("caching headers %v", r.Header)
	}
	if r := c.Do("GET", prod.ImageURL, nil, "If-None-Match", etag); r.Status != 304 || len(r.Body) != 0 {
		t.Fatalf("revalidation: %d, %d bytes", r.Status, len(r.Body))
	}
	c.Want(c.Do("GET", "/media/0123456789abcdef0123456789abcdef", nil), 404)
	c.Want(c.Do("GET", "/media/..%2f..%2fetc", nil), 404)

	// Saved again without a picture (a form, a catalog file without the
	// column), the product keeps its own.
	var again struct {
		ImageURL string `json:"image_url"`
	}
	c.Want(c.Do("POST", "/v1/staff/products", map[string]any{"sku": "PH-1", "brand": "Persol", "name": "PO3019S", "category": "sunglasses", "price_cents": 19900},
		apptest.Bearer(owner)...), 200).JSON(t, &again)
	if again.ImageURL != prod.ImageURL {
		t.Fatalf("re-saved product lost its picture: %q", again.ImageURL)
	}

	// Refused, with the field named, and nothing changes.
	bad := c.Want(c.Do("PUT", "/v1/staff/products/"+prod.ID+"/image", "sku,brand\n", append(apptest.Bearer(owner), "Content-Type", "text/csv")...), 422).Problem(t)
	if fmt.Sprint(bad["errors"]) == "" || !strings.Contains(fmt.Sprint(bad), "image") {
		t.Fatalf("problem %v", bad)
	}
	c.Want(c.Do("PUT", "/v1/staff/products/nope/image", big, append(apptest.Bearer(owner), "Content-Type", "image/png")...), 404)
	assistant := c.StaffLogin("assistente@example.com", apptest.AddStaff(t, m, "assistente@example.com", core.RoleAssistant, "shop-milano-centro"))
	c.Want(c.Do("PUT", "/v1/staff/products/"+prod.ID+"/image", big, append(apptest.Bearer(assistant), "Content-Type", "image/png")...), 403)

	// The console's form: the picture shows on the offers page.
	body, ctype := multipartImage(photo(t, 300, 200, true))
	c.Want(c.Do("POST", "/console/offers/shop-milano-centro/products/"+prod.ID+"/image?lang=it", body, append(apptest.Bearer(owner), "Content-Type", ctype)...), 303)
	var listed struct {
		Products []struct {
			ImageURL string `json:"image_url"`
		} `json:"products"`
	}
	c.Want(c.Do("GET", "/v1/staff/shops/shop-milano-centro/products?q=PO3019S", nil, apptest.Bearer(owner)...), 200).JSON(t, &listed)
	page := string(c.Want(c.Do("GET", "/console/offers?shop=shop-milano-centro", nil, apptest.Bearer(owner)...), 200).Body)
	if len(listed.Products) != 1 || listed.Products[0].ImageURL == prod.ImageURL || !strings.Contains(page, `<img src="`+listed.Products[0].ImageURL) {
		t.Fatal("the offers page does not show the new picture")
	}
	body, ctype = multipartImage([]byte("not a picture"))
	refused := string(c.Want(c.Do("POST", "/console/offers/shop-milano-centro/products/"+prod.ID+"/image?lang=it", body,
		append(apptest.Bearer(owner), "Content-Type", ctype)...), 422).Body)
	if !strings.Contains(refused, `id="problem"`) {
		t.Fatalf("a refused picture: %s", refused)
	}
}

// TestUploadLimitIsPerRoute: a picture's upload takes megabytes, every
// other route still answers 413 from the declared length without reading
// the body, and a picture above 9 MB is refused the same way.
func TestUploadLimitIsPerRoute(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	apptest.Serve(t, m)
	for _, tc := range []struct {
		path   string
		length int
	}{
		{"/v1/staff/chain", 2 << 20},
		{"/v1/staff/products/x/image", 10 << 20},
		{"/v1/staff/products/x/image?to=/v1/staff/chain", 10 << 20},
	} {
		conn, err := net.Dial("tcp", m.Addr())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\nx", tc.path, tc.length)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		conn.Close()
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with %d bytes: %d, want 413", tc.path, tc.length, resp.StatusCode)
		}
	}
}

// TestChainBrandAndApps: the owner sets the chain's colours, logo and the
// apps that open visit codes from the set-up page; .well-known serves
// them beside the server's flags; a wrong app id is refused on the page.
func TestChainBrandAndApps(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	owner := apptest.OwnerLogin(t, m)
	c.Want(c.Do("GET", "/.well-known/apple-app-site-association", nil), 404)
	fp := strings.TrimSuffix(strings.Repeat("AB:", 32), ":")
	v := url.Values{"name": {"Ottica Vista"}, "default_locale": {"it"}, "apple_app_ids": {"ABCDE12345.it.ottica.vista\r\n\r\n"},
		"android_apps": {"it.ottica.vista=" + fp}, "colour": {"#1A2B3C"}, "accent": {"#ffcc00"}}
	c.Form("/console/chain?lang=it", v, 303, apptest.Bearer(owner)...)
	var aasa struct {
		Applinks struct {
			Details []struct {
				AppIDs []string `json:"appIDs"`
			} `json:"details"`
		} `json:"applinks"`
	}
	c.Want(c.Do("GET", "/.well-known/apple-app-site-association", nil), 200).JSON(t, &aasa)
	if ids := aasa.Applinks.Details[0].AppIDs; len(ids) != 1 || ids[0] != "ABCDE12345.it.ottica.vista" {
		t.Fatalf("appIDs %v", ids)
	}
	if links := string(c.Want(c.Do("GET", "/.well-known/assetlinks.json", nil), 200).Body); !strings.Contains(links, `"package_name":"it.ottica.vista"`) || !strings.Contains(links, fp) {
		t.Fatalf("assetlinks %s", links)
	}

	body, ctype := multipartImage(photo(t, 900, 300, true))
	c.Want(c.Do("POST", "/console/chain/logo?lang=it", body, append(apptest.Bearer(owner), "Content-Type", ctype)...), 303)
	var ch struct {
		LogoURL string   `json:"logo_url"`
		Colour  string   `json:"colour"`
		Apple   []string `json:"apple_app_ids"`
	}
	c.Want(c.Do("GET", "/v1/staff/chain", nil, apptest.Bearer(owner)...), 200).JSON(t, &ch)
	if ch.Colour != "#1a2b3c" || len(ch.Apple) != 1 || !strings.HasPrefix(ch.LogoURL, "/media/") {
		t.Fatalf("chain %+v", ch)
	}
	if r := c.Want(c.Do("GET", ch.LogoURL, nil), 200); r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("a logo with transparency is served as %s", r.Header.Get("Content-Type"))
	}
	// Saving the settings again keeps the logo; a wrong app id is refused
	// next to its field, as typed, and changes nothing.
	c.Form("/console/chain?lang=it", v, 303, apptest.Bearer(owner)...)
	v.Set("apple_app_ids", "it.ottica.vista")
	page := string(c.Form("/console/chain?lang=it", v, 422, apptest.Bearer(owner)...).Body)
	if !strings.Contains(page, "TEAMID.bundle.id") || !strings.Contains(page, ">it.ottica.vista</textarea>") {
		t.Fatalf("a wrong app id on the page: %s", page)
	}
	var after struct {
		LogoURL string   `json:"logo_url"`
		Apple   []string `json:"apple_app_ids"`
	}
	c.Want(c.Do("GET", "/v1/staff/chain", nil, apptest.Bearer(owner)...), 200).JSON(t, &after)
	if after.LogoURL != ch.LogoURL || len(after.Apple) != 1 || after.Apple[0] != "ABCDE12345.it.ottica.vista" {
		t.Fatalf("after a refused save: %+v", after)
	}
	if page := string(c.Want(c.Do("GET", "/console/setup", nil, apptest.Bearer(owner)...), 200).Body); !strings.Contains(page, `id="logo-now" src="`+ch.LogoURL) {
		t.Fatal("the set-up page does not show the logo")
	}
}

// TestProductFormOnTheOffersPage: a manager adds the product a shop just
// received, with its picture, from the offers page; a wrong price or a
// file that is not a picture comes back next to its field, as typed, and
// stores nothing.
func TestProductFormOnTheOffersPage(t *testing.T) {
	m := apptest.Boot(t, t.TempDir())
	c := apptest.Client{T: t, M: m}
	manager := c.StaffLogin("responsabile@example.com", apptest.AddStaff(t, m, "responsabile@example.com", core.RoleManager, "shop-milano-centro"))
	post := func(fields map[string]string, pic []byte, want int) string {
		t.Helper()
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for k, v := range fields {
			w.WriteField(k, v)
		}
		if pic != nil {
			f, _ := w.CreateFormFile("image", "foto.png")
			f.Write(pic)
		}
		w.Close()
		return string(c.Want(c.Do("POST", "/console/offers/shop-milano-centro/products?lang=it", body.Bytes(),
			append(apptest.Bearer(manager), "Content-Type", w.FormDataContentType())...), want).Body)
	}
	fields := map[string]string{"sku": "OK-HOLB-1", "brand": "Oakley", "name": "Holbrook", "category": "sunglasses", "price": "129,9", "tags": "Estate, sport", "novelty": "1"}
	fields["price"] = "tanti"
	page := post(fields, photo(t, 400, 300, false), 422)
	if !strings.Contains(page, `value="tanti" aria-invalid="true"`) || !strings.Contains(page, `value="Holbrook"`) || !strings.Contains(page, `<details id="new-product" open>`) {
		t.Fatalf("a wrong price on the page: %s", page)
	}
	fields["price"] = "129,9"
	if page := post(fields, []byte("GIF87a not really"), 422); !strings.Contains(page, `name="image" accept="image/png,image/jpeg,image/webp,image/gif" aria-invalid="true"`) {
		t.Fatalf("a wrong picture on the page: %s", page)
	}
	if got, _ := m.Store.ProductsBySKU(t.Context(), []string{"OK-HOLB-1"}); len(got) != 0 {
		t.Fatalf("a refused form stored %+v", got["OK-HOLB-1"])
	}
	post(fields, photo(t, 400, 300, false), 303)
	got, err := m.Store.ProductsBySKU(t.Context(), []string{"OK-HOLB-1"})
	apptest.Must(t, err)
	p := got["OK-HOLB-1"]
	if p == nil || p.PriceCents != 12990 || !p.Novelty || len(p.Tags) != 2 || p.Tags[0] != "estate" || !strings.HasPrefix(p.ImageURL, "/media/") || !p.Active {
		t.Fatalf("stored product %+v", p)
	}
}
