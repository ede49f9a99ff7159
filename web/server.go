// Package web is Falaj's HTTP front end: a JSON API and one page, served from the binary,
// for workshops on a projector with no internet.
//
// The server holds a falaj.Answerer and renders what it returns; it never retrieves,
// prompts or checks citations. Endpoints:
//
//	POST /api/ask             {"question": "...", "history": [{"question", "answer"}]} → falaj.AnswerJSON
//	GET  /api/ask/stream?q=   Server-Sent Events: "delta" (a JSON string), then "answer" or "error"
//	GET  /api/sources         {"sources": [...]}
//	GET  /api/passages/{id}   one passage (ids contain "#": escape it as %23)
//	GET  /healthz             {"status": "ok"}
//	GET  /                    the page; GET /?q=... and POST /ask answer without JavaScript
//
// Decisions, so they are not re-litigated:
//   - Errors are JSON {"error": "sentence"} with the status that fits (400, 404, 405 with
//     Allow, 413, 429 with Retry-After, 503, 504); a 500 carries only the fixed sentence of
//     falaj.UserMessage plus an "error_id" that is logged with the cause.
//   - Only the answering endpoints (/api/ask, /api/ask/stream, /?q=, /ask) are rate limited,
//     per client IP taken from the connection (RemoteAddr; no X-Forwarded-For, since the
//     server is meant to face the room directly, not sit behind a proxy).
//   - The stream endpoint checks everything before it starts streaming, so a bad request
//     gets a real status code; once streaming, failures arrive as an "error" event.
//   - The page reads the stream with fetch rather than EventSource: EventSource hides the
//     status and body of a refused request and reconnects by itself after the last event,
//     which would ask the question again. Other clients may use EventSource; they must
//     close it after "answer" or "error".
//   - The page is progressive: everything works as a plain form post (server-rendered with
//     html/template); the script only streams, opens passages in a dialog and remembers
//     presenter mode. A Content-Security-Policy allows nothing but this server.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/falaj-bot/falaj"
)

// Defaults for the zero values of Config.
const (
	DefaultAddr          = "127.0.0.1:8080"
	DefaultMaxBodyBytes  = 64 << 10
	DefaultRate          = 2
	DefaultBurst         = 10
	DefaultMaxClients    = 10000
	DefaultAnswerTimeout = 90 * time.Second
	DefaultShutdownGrace = 10 * time.Second
)

// Catalog lists the indexed documents and finds passages by id. *retrieval.Index
// implements it.
type Catalog interface {
	// Sources returns the indexed documents.
	Sources(ctx context.Context) ([]falaj.Source, error)
	// Passage returns the passage with the given id, or an error wrapping
	// falaj.ErrNotFound when there is none.
	Passage(ctx context.Context, id string) (falaj.Passage, error)
}

// Config configures a Server. The zero value works except for Answerer, which is required.
type Config struct {
	// Addr is the TCP address Run listens on. "": DefaultAddr, loopback only. Use
	// "0.0.0.0:8080" to let a room reach the page over the LAN; Run logs a warning then.
	Addr string
	// Answerer answers the questions. Required.
	Answerer falaj.Answerer
	// Catalog lists sources and looks up passages. nil: the page shows no sources list,
	// /api/sources returns an empty list and /api/passages/{id} answers 404.
	Catalog Catalog
	// Logger receives the address served (Info), a Warn when serving beyond loopback,
	// every internal error with its error id (Error), and per request who asked what
	// (Debug; the Answerer logs the answer itself). nil: logs are discarded.
	Logger *slog.Logger
	// MaxBodyBytes limits request bodies, in bytes; larger bodies get 413.
	// 0: DefaultMaxBodyBytes (64 KiB).
	MaxBodyBytes int64
	// Rate is how many questions per second one client IP may ask on average, refilling a
	// token bucket of Burst questions. 0: DefaultRate (2/s). Negative: no limit.
	Rate float64
	// Burst is how many questions one client IP may ask at once. 0: DefaultBurst (10).
	Burst int
	// MaxClients bounds the rate limiter's memory: the number of client IPs tracked.
	// 0: DefaultMaxClients (10 000).
	MaxClients int
	// AnswerTimeout bounds one answer, LLM included; past it the client gets 504 (or an
	// "error" event). 0: DefaultAnswerTimeout (90 s); negative: New fails.
	AnswerTimeout time.Duration
	// ReadHeaderTimeout bounds reading request headers. 0: 10 s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included. 0: 30 s.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response, streamed answers included, so it must
	// exceed AnswerTimeout. 0: AnswerTimeout + 15 s.
	WriteTimeout time.Duration
	// IdleTimeout bounds keep-alive connections between requests. 0: 120 s.
	IdleTimeout time.Duration
	// ShutdownGrace is how long Run lets requests in flight finish after its context is
	// done before it closes their connections. 0: DefaultShutdownGrace (10 s).
	ShutdownGrace time.Duration
	// Examples are questions offered on the page as one-click links.
	// nil: DefaultExamples(); empty but not nil: none.
	Examples []string
	// Assets holds page.tmpl, app.css, app.js and favicon.svg at its root.
	// nil: the page embedded in the binary (web/static).
	Assets fs.FS
}

// DefaultExamples returns the example questions shown when Config.Examples is nil; the
// seed corpus answers each of them.
func DefaultExamples() []string {
	return []string{
		"Why is Oman trusted as a mediator?",
		"Where did the Iran–US talks take place?",
		"Which talks on Afghanistan did Oman host?",
		"What did Oman do during the Arab boycott of Qatar?",
	}
}

// Server serves the API and the page. Create it with New; it is safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	page    *template.Template
	assets  fs.FS
	limiter *limiter
	handler http.Handler
}

// New checks cfg, fills in its defaults and parses the page template.
func New(cfg Config) (*Server, error) {
	if cfg.Answerer == nil {
		return nil, errors.New("web: Config.Answerer is required")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = DefaultMaxClients
	}
	if cfg.AnswerTimeout < 0 {
		return nil, fmt.Errorf("web: Config.AnswerTimeout is %s; want a positive duration, or 0 for the default", cfg.AnswerTimeout)
	}
	if cfg.AnswerTimeout == 0 {
		cfg.AnswerTimeout = DefaultAnswerTimeout
	}
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = 10 * time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 30 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = cfg.AnswerTimeout + 15*time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 120 * time.Second
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = DefaultShutdownGrace
	}
	if cfg.Examples == nil {
		cfg.Examples = DefaultExamples()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	assets := cfg.Assets
	if assets == nil {
		assets = staticFS()
	}
	page, err := parsePage(assets)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, page: page, assets: assets}
	if cfg.Rate > 0 {
		s.limiter = newLimiter(cfg.Rate, cfg.Burst, cfg.MaxClients)
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's routes with its limits, for http.Server or httptest.
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on Config.Addr and serves until ctx is done, then shuts down gracefully.
// It returns nil after a shutdown and an error when it cannot listen or serve.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return falaj.Userf(fmt.Errorf("listen on %s: %w", s.cfg.Addr, err),
			"Cannot listen on %s (%v). Pick another address with --addr, e.g. --addr 127.0.0.1:8081.", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done, then stops accepting connections, lets requests
// in flight finish for up to Config.ShutdownGrace and closes the rest. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	addr := ln.Addr().String()
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		s.log.WarnContext(ctx, "serving beyond this machine: anyone who can reach this address can ask questions",
			"addr", addr, "rate_per_ip", s.cfg.Rate)
	}
	s.log.InfoContext(ctx, "serving", "url", "http://"+addr+"/")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	s.log.InfoContext(ctx, "shutting down", "grace", s.cfg.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.WarnContext(ctx, "shutdown grace exceeded; closing connections", "grace", s.cfg.ShutdownGrace, "err", err)
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", addr, err)
	}
	s.log.InfoContext(ctx, "stopped", "addr", addr)
	return nil
}

// routes builds the handler tree. Method checks are done here rather than with mux method
// patterns so that a wrong method gets the same JSON error as any other bad request.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, methods []string, h http.HandlerFunc) {
		mux.Handle(pattern, allow(methods, h))
	}
	get := []string{http.MethodGet, http.MethodHead}
	post := []string{http.MethodPost}

	handle("/api/ask", post, s.limit(s.handleAsk))
	handle("/api/ask/stream", get, s.limit(s.handleStream))
	handle("/api/sources", get, s.handleSources)
	handle("/api/passages/{id}", get, s.handlePassage)
	handle("/healthz", get, s.handleHealth)
	handle("/ask", post, s.limit(s.handleForm))
	handle("/{$}", get, s.handlePage)
	handle("/static/{name}", get, s.handleStatic)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "There is no such API endpoint; see docs/WEB.md for the list.")
	})
	mux.HandleFunc("/", http.NotFound)
	return securityHeaders(mux)
}

// allow answers 405 with an Allow header unless r's method is one of methods.
func allow(methods []string, h http.Handler) http.Handler {
	allowed := methods[0]
	for _, m := range methods[1:] {
		allowed += ", " + m
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range methods {
			if r.Method == m {
				h.ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("Allow", allowed)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s does not accept %s; use %s.", r.URL.Path, r.Method, allowed))
	})
}

// securityHeaders forbids everything the page does not need: it loads only from this
// server, so it also works with no internet.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}
