package llm

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/prompts"
	openai "github.com/sashabaranov/go-openai"
)

// Limits on what goes into the rewrite prompt: the last few turns, each answer shortened.
const (
	maxHistoryTurns    = min(4, falaj.MaxHistoryTurns)
	maxHistoryAnswer   = 600 // runes
	maxRewriteTokens   = 120
	rewriteTemperature = 0.01
)

// quoted neutralises the tag brackets of quoted data, so a passage or question cannot
// close its <passage> or <question> element and pose as instructions.
var quoted = strings.NewReplacer("<", "‹", ">", "›")

// promptPassage is a passage as the answer template sees it.
type promptPassage struct {
	N       int // the number the answer cites it by, 1-based
	Title   string
	Author  string
	Outlet  string
	Date    string
	Ordinal int // the passage's position within its document
	Text    string
}

// answerData is the data of system.tmpl and answer.tmpl.
type answerData struct {
	Sentinel string // prompts.NotInSources
	Question string
	Passages []promptPassage
}

// rewriteData is the data of rewrite.tmpl.
type rewriteData struct {
	History  []falaj.Turn
	Question string
}

// answerMessages renders the system and user messages for q over passages.
func (c *Client) answerMessages(q falaj.Question, passages []falaj.Passage) ([]openai.ChatCompletionMessage, error) {
	d := answerData{Sentinel: prompts.NotInSources, Question: quoted.Replace(q.Text)}
	for i, p := range passages {
		d.Passages = append(d.Passages, promptPassage{
			N:       i + 1,
			Title:   attr(p.Title),
			Author:  attr(p.Author),
			Outlet:  attr(p.Outlet),
			Date:    attr(p.Date),
			Ordinal: p.Ordinal,
			Text:    quoted.Replace(strings.TrimSpace(p.Text)),
		})
	}
	system, err := c.cfg.Prompts.Render("system.tmpl", d)
	if err != nil {
		return nil, err
	}
	user, err := c.cfg.Prompts.Render(langTemplate("answer.tmpl", q.Lang), d)
	if err != nil {
		return nil, err
	}
	return []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: system},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}, nil
}

// rewriteMessages renders the single user message that asks for a standalone question.
func (c *Client) rewriteMessages(q falaj.Question) ([]openai.ChatCompletionMessage, error) {
	h := q.History[max(0, len(q.History)-maxHistoryTurns):]
	d := rewriteData{Question: quoted.Replace(q.Text)}
	for _, t := range h {
		d.History = append(d.History, falaj.Turn{
			Question: quoted.Replace(t.Question),
			Answer:   quoted.Replace(shorten(t.Answer, maxHistoryAnswer)),
		})
	}
	user, err := c.cfg.Prompts.Render(langTemplate("rewrite.tmpl", q.Lang), d)
	if err != nil {
		return nil, err
	}
	return []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: user}}, nil
}

// langTemplate names the template for a question in lang: for an Arabic question,
// answer_ar.tmpl (answer in Arabic with the same [n] citations) and rewrite_ar.tmpl
// (standalone question in English, for the English corpus); else name.
func langTemplate(name, lang string) string {
	if lang == falaj.LangArabic {
		return strings.TrimSuffix(name, ".tmpl") + "_ar.tmpl"
	}
	return name
}

// attr makes s safe inside a double-quoted tag attribute.
func attr(s string) string {
	return strings.NewReplacer(`"`, "'", "\n", " ", "<", "‹", ">", "›").Replace(s)
}

// shorten cuts s to at most n runes, marking the cut with "…".
func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + "…"
}

// render joins messages for the Debug log.
func render(msgs []openai.ChatCompletionMessage) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "[%s]\n%s\n", m.Role, m.Content)
	}
	return b.String()
}
