package web

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var (
	updateScreenshot = flag.Bool("update-screenshot", false, "rewrite docs/screenshot.png from the browser test")
	screenshotDir    = flag.String("screenshots", "", "write the browser test's screenshots (page, presenter, phone, no-JS) to this folder")
)

// chromePath finds Chromium: $FALAJ_CHROME, else chromium (Debian), chromium-browser or
// google-chrome on $PATH, else /usr/bin/chromium. Without one the browser test is skipped,
// except in CI (CI=true), where it fails: CI must install Debian's chromium.
func chromePath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FALAJ_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	const msg = "no Chromium found: install it (apt-get install chromium) or set FALAJ_CHROME to its path"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI must run the browser test")
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts headless Chromium with a fresh profile and returns a tab's context.
// Flags suit containers: no sandbox, no GPU, no background network of Chromium's own.
// JavaScript exceptions and console errors (CSP violations among them) fail the test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromePath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	tctx, cancelTime := context.WithTimeout(t.Context(), 2*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(tctx, opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		cancelTime()
		t.Fatalf("start Chromium: %v", err)
	}

	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	read := make(chan struct{})
	go func() {
		defer close(read)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTime()
		<-read
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("browser console: %s", p)
		}
	})
	return ctx
}

// saveScreenshot writes png as name into -screenshots (if set), and as docs/screenshot.png
// (the main shot) or docs/screenshot-arabic.png (the Arabic answer on a phone) when
// -update-screenshot is set. Otherwise nothing is written, so
// CI leaves the tree clean.
func saveScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	if *screenshotDir != "" {
		if err := os.WriteFile(filepath.Join(*screenshotDir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs := map[string]string{"page.png": "screenshot.png", "arabic-phone.png": "screenshot-arabic.png"}
	if doc, ok := docs[name]; ok && *updateScreenshot {
		if err := os.WriteFile(filepath.Join("..", "docs", doc), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs one action that returns a value, failing the test with what it was doing.
func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// steps runs actions in order, failing the test with what they were doing.
func steps(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, a := range actions {
		run(t, ctx, fmt.Sprintf("%s, step %d", what, i+1), a)
	}
}

// stepTimeout bounds one browser action; the engine answers in milliseconds.
const stepTimeout = 20 * time.Second

// TestBrowser drives the page as a person would, keyboard first, against the real engine:
// ask, watch the answer arrive, open a citation, see its quote highlighted, close it with
// Escape, switch presenter mode (remembered across a reload), then the phone and no-JS
// layouts. With -update-screenshot it rewrites docs/screenshot.png.
func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	ts, _ := newTestServer(t, nil)
	const question = "Why is Oman trusted as a mediator?"
	const firstCite = chromedp.CSS("#result .answer-text button.cite")
	const openMark = chromedp.CSS("#passage[open] #passage-text mark")

	steps(t, ctx, "ask by keyboard",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.Focus(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), question+kb.Enter),
		chromedp.WaitVisible(firstCite),
	)
	answer := run(t, ctx, "read the answer", chromedp.Text(chromedp.CSS("#result .answer-text")))
	cites := run(t, ctx, "count markers", chromedp.Evaluate[int](`document.querySelectorAll("#result .answer-text button.cite").length`))
	location := run(t, ctx, "read the location", chromedp.Location())
	if cites == 0 || !strings.Contains(answer, "[1]") {
		t.Errorf("answer %q has %d citation buttons; want [1] as a button", answer, cites)
	}
	if !strings.Contains(location, "?q=Why+is+Oman") {
		t.Errorf("location %q; want the question in the URL so a reload shows it", location)
	}

	steps(t, ctx, "open a citation", chromedp.Click(firstCite), chromedp.WaitVisible(openMark))
	title := run(t, ctx, "read the passage title", chromedp.Text(chromedp.ID("passage-title")))
	marked := run(t, ctx, "read the mark", chromedp.Text(openMark))
	passage := run(t, ctx, "read the passage", chromedp.Text(chromedp.ID("passage-text")))
	if title == "" || len(marked) < 20 || !strings.Contains(passage, marked) {
		t.Errorf("passage %q titled %q marks %q; want a titled passage with its quote marked", passage, title, marked)
	}
	saveScreenshot(t, "page.png", run(t, ctx, "screenshot", chromedp.FullScreenshot(100)))

	// Escape closes the passage and gives focus back to the marker.
	steps(t, ctx, "close with Escape", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(chromedp.CSS("#passage[open]")))
	if !run(t, ctx, "check focus", chromedp.Evaluate[bool](`document.activeElement.classList.contains("cite")`)) {
		t.Errorf("after Escape the focus is not on the citation marker")
	}

	// Presenter mode by keyboard, remembered across a reload (which renders the answer on
	// the server, without streaming).
	steps(t, ctx, "presenter mode",
		chromedp.Focus(chromedp.ID("presenter-toggle")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("html.presenter")),
		chromedp.Reload(),
		chromedp.WaitVisible(firstCite),
	)
	class := run(t, ctx, "read html class", chromedp.AttributeValue(chromedp.CSS("html"), "class"))
	pressed := run(t, ctx, "read aria-pressed", chromedp.AttributeValue(chromedp.ID("presenter-toggle"), "aria-pressed"))
	if !strings.Contains(class.Value, "presenter") || pressed.Value != "true" {
		t.Errorf("after a reload: html class %q, aria-pressed %q; want presenter, true", class.Value, pressed.Value)
	}
	steps(t, ctx, "open a citation after reload", chromedp.Click(firstCite), chromedp.WaitVisible(openMark))
	saveScreenshot(t, "presenter.png", run(t, ctx, "screenshot", chromedp.FullScreenshot(100)))

	// A phone, presenter mode off again.
	steps(t, ctx, "phone",
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(chromedp.CSS("#passage[open]")),
		chromedp.Click(chromedp.ID("presenter-toggle")),
		chromedp.WaitNotPresent(chromedp.CSS("html.presenter")),
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#result article.answer")),
	)
	if run(t, ctx, "measure", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)) {
		t.Errorf("the page is wider than a 390 px phone screen")
	}
	saveScreenshot(t, "phone.png", run(t, ctx, "screenshot", chromedp.FullScreenshot(100)))

	// JavaScript off: the form's GET still answers, rendered by the server, and the
	// markers stay plain links to the listed passages.
	steps(t, ctx, "without JavaScript",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}),
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(ts.URL+"/?q="+url.QueryEscape("Where did Iran and the United States hold talks?")),
		chromedp.WaitVisible(chromedp.CSS("#cite-1 mark")),
	)
	if n := len(run(t, ctx, "find links", chromedp.Nodes(chromedp.CSSAll("#result a.cite")))); n == 0 {
		t.Errorf("no citation links without JavaScript")
	}
	saveScreenshot(t, "nojs.png", run(t, ctx, "screenshot", chromedp.FullScreenshot(100)))
}

// TestBrowserSourceFootnotes asks a question whose answer quotes the source's own
// footnote "[1]" and cites [1]: the streamed answer (drawn by the script) and the
// server-rendered one after a reload both have one citation button, and the source's
// brackets as notes.
func TestBrowserSourceFootnotes(t *testing.T) {
	ctx := newBrowser(t)
	ts, _ := newTestServer(t, func(c *Config) { c.Answerer = answerFunc(footnotedAnswer) })
	const buttons = `document.querySelectorAll("#result .answer-text button.cite").length`
	const notes = `document.querySelectorAll("#result .answer-text .source-note").length`
	steps(t, ctx, "ask",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "What did Oman do during the boycott?"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#result .answer-text button.cite")),
	)
	if b, n := run(t, ctx, "count buttons", chromedp.Evaluate[int](buttons)), run(t, ctx, "count notes", chromedp.Evaluate[int](notes)); b != 1 || n != 2 {
		t.Errorf("streamed answer: %d citation buttons and %d notes; want 1 and 2 (the source's [1] and [12] are text)", b, n)
	}
	steps(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#result .answer-text button.cite")))
	if b, n := run(t, ctx, "count buttons", chromedp.Evaluate[int](buttons)), run(t, ctx, "count notes", chromedp.Evaluate[int](notes)); b != 1 || n != 2 {
		t.Errorf("server-rendered answer: %d citation buttons and %d notes; want 1 and 2", b, n)
	}
}
