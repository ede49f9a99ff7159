package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/arabic"
	"github.com/falaj-bot/falaj/internal/falajtest"
	"github.com/falaj-bot/falaj/internal/seedtest"
)

// arabicQuestion asks how Trump described the US–Iran talks in Oman.
const arabicQuestion = "كيف وصف ترامب المحادثات بين الولايات المتحدة وإيران في عمان؟"

// newArabicServer serves a real Engine over the seeds with the Arabic translator over
// the installed FreeDict dictionary; without it the test is skipped, except in CI.
func newArabicServer(t *testing.T) string {
	t.Helper()
	d, err := arabic.OpenDict("")
	falajtest.Installed(t, err, "dict-freedict-ara-eng")
	tr, err := arabic.NewTranslator(arabic.Config{Dict: d})
	if err != nil {
		t.Fatal(err)
	}
	e, ix := seedtest.Engine(t, func(c *falaj.EngineConfig) { c.Translator = tr })
	ts, _ := newTestServer(t, func(c *Config) { c.Answerer, c.Catalog = e, ix })
	return ts.URL
}

// TestPageArabic: the server-rendered Arabic answer is right to left, its Arabic frame
// above the sources' English sentences, which keep left to right, as do the passages.
func TestPageArabic(t *testing.T) {
	base := newArabicServer(t)
	res, body := do(t, "GET", base+"/?q="+url.QueryEscape(arabicQuestion), "", "")
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		`lang="ar" dir="rtl"`,
		`<p class="frame">` + falaj.FixedText("frame", falaj.LangArabic),
		`<p class="answer-text" lang="en" dir="ltr">`,
		`<h2 class="citations-title">` + falaj.FixedText("cited", falaj.LangArabic) + `</h2>`,
		`<ol class="citations" lang="en" dir="ltr">`,
		`<span class="cites"><a class="cite" href="#cite-1"`,
		`<textarea id="q" name="q" dir="auto"`,
		` · <bdi dir="ltr">`, // "12 ms" keeps its order in the Arabic byline
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// TestBrowserArabic asks an Arabic question on a phone-width page and checks that the
// answer reads right to left: the article's direction, its Arabic frame set against the
// right edge, the English sentences and passages left to right, [n] markers isolated,
// nothing wider than the screen. With -update-screenshot it rewrites
// docs/screenshot-arabic.png.
func TestBrowserArabic(t *testing.T) {
	base := newArabicServer(t)
	ctx := newBrowser(t)
	const article = `#result article.answer[dir="rtl"]`
	steps(t, ctx, "ask in Arabic on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SetValue(chromedp.ID("q"), arabicQuestion),
		chromedp.Focus(chromedp.ID("q")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(article+" .answer-text button.cite")),
	)
	type layout struct {
		Dir, TextDir, ListDir, CitesBidi, Frame, Heading, TookDir string
		FrameRight, ArticleRight, TextLeft, ArticleLeft           float64
		Overflow                                                  bool
	}
	got := run(t, ctx, "measure the answer", chromedp.Evaluate[layout](`(() => {
		const a = document.querySelector('`+article+`');
		const frame = a.querySelector('.frame'), text = a.querySelector('.answer-text');
		const r = document.createRange();
		r.selectNodeContents(frame);
		const first = r.getClientRects()[0];
		r.selectNodeContents(text);
		const line = r.getClientRects()[0];
		const box = a.getBoundingClientRect(), pad = parseFloat(getComputedStyle(a).paddingRight), padL = parseFloat(getComputedStyle(a).paddingLeft);
		return {
			Dir: getComputedStyle(a).direction,
			TextDir: getComputedStyle(text).direction,
			ListDir: getComputedStyle(a.querySelector('.citations')).direction,
			CitesBidi: getComputedStyle(a.querySelector('.cites')).unicodeBidi,
			Frame: frame.textContent,
			Heading: a.querySelector('.citations-title').textContent,
			TookDir: getComputedStyle(a.querySelector('.meta bdi')).direction,
			FrameRight: first.right, ArticleRight: box.right - pad,
			TextLeft: line.left, ArticleLeft: box.left + padL,
			Overflow: document.documentElement.scrollWidth > window.innerWidth,
		};
	})()`))
	if got.Dir != "rtl" || got.TextDir != "ltr" || got.ListDir != "ltr" || got.CitesBidi != "isolate" {
		t.Errorf("directions: article %q, English sentences %q, passages %q, markers' unicode-bidi %q; want rtl, ltr, ltr, isolate", got.Dir, got.TextDir, got.ListDir, got.CitesBidi)
	}
	if got.Frame != falaj.FixedText("frame", falaj.LangArabic) || got.Heading != falaj.FixedText("cited", falaj.LangArabic) {
		t.Errorf("frame %q, heading %q; want the Arabic texts of prompts/", got.Frame, got.Heading)
	}
	if d := got.ArticleRight - got.FrameRight; d < -1 || d > 2 {
		t.Errorf("the Arabic frame's first line ends %.1f px from the article's right edge; want it set against the right", d)
	}
	if d := got.TextLeft - got.ArticleLeft; d < -1 || d > 2 {
		t.Errorf("the English sentences start %.1f px from the article's left edge; want them set against the left", d)
	}
	if got.TookDir != "ltr" {
		t.Errorf("the time in the byline is %q; want it isolated left to right (12 ms, not ms 12)", got.TookDir)
	}
	if got.Overflow {
		t.Errorf("the page is wider than a 390 px phone screen")
	}
	saveScreenshot(t, "arabic-phone.png", run(t, ctx, "screenshot", chromedp.FullScreenshot(100)))
}
