package web

import (
	"embed"
	"io/fs"
)

// static holds the page: page.tmpl (html/template), app.css, app.js and favicon.svg.
//
//go:embed static
var static embed.FS

// staticFS returns the embedded page files at the root of an fs.FS.
func staticFS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil { // "static" is a valid path, so Sub cannot fail
		panic(err)
	}
	return sub
}
