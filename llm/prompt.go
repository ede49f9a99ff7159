package llm

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/falaj-bot/falaj"
	"github.com/falaj-bot/falaj/prompts"
	openai "github.com/sashabaranov/go-openai"
)

// Limits on what goes into the prompts: the last few turns, each answer shortened.
const (
	maxHistoryTurns       = min(4, falaj.MaxHistoryTurns)
	maxHistoryAnswer      = 600 // runes
	maxAnswerHistoryTurns = 2   // turns the answering model sees for a follow-up
	maxAnswerHistoryRunes = 400 // runes of each earlier answer it sees
	maxRewriteTokens      = 120
	rewriteTemperature    = 0.01
	promptMargin          = 64 // tokens kept free besides the answer, for the estimate's error
)

// oldMarkerRE matches [n] markers that the answering model must not see: those of an
// earlier answer (they numbered other passages) and a document's own footnote markers
// ("…in 2011.[12]"), which a model copies as if they were passage numbers.
var oldMarkerRE = regexp.MustCompile(`\s*\[\d+\]`)

// quoted neutralises the tag brackets of quoted data, so a passage or question cannot
// close its <passage> or <question> element and pose as instructions.
var quoted = strings.NewReplacer("<", "‹", ">", "›")

// promptPassage is a passage as the answer template sees it. It carries one number only,
// N: a second one (the passage's position in its document) is what small models cite.
type promptPassage struct {
	N      int // the number the answer cites it by, 1-based
	Title  string
	Author string
	Outlet string
	Date   string
	Text   string
}

// answerData is the data of system.tmpl and answer.tmpl.
type answerData struct {
	Sentinel string // prompts.NotInSources
	Question string
	Passages []promptPassage
	History  []falaj.Turn // the last turns of a follow-up, markers removed; nil for a fresh question
}

// rewriteData is the data of rewrite.tmpl.
type rewriteData struct {
	History  []falaj.Turn
	Question string
}

// answerMessages renders the system and user messages for q over passages, fitted into
// Config.ContextTokens with room for the answer: when they do not fit, the conversation
// goes first, then the last passages, one by one. kept is the number of passages sent
// (the first kept of passages). It fails when even the system prompt, the question and
// one passage do not fit.
func (c *Client) answerMessages(q falaj.Question, passages []falaj.Passage) (msgs []openai.ChatCompletionMessage, kept int, err error) {
	d := answerData{Sentinel: prompts.NotInSources, Question: quoted.Replace(q.Text)}
	for i, p := range passages {
		if p.Outlet == p.Author {
			p.Outlet = "" // the author field holds the outlet when no author is known
		}
		d.Passages = append(d.Passages, promptPassage{
			N:      i + 1,
			Title:  attr(p.Title),
			Author: attr(p.Author),
			Outlet: attr(p.Outlet),
			Date:   attr(p.Date),
			Text:   quoted.Replace(strings.TrimSpace(oldMarkerRE.ReplaceAllString(p.Text, ""))),
		})
	}
	for _, t := range q.History[max(0, len(q.History)-maxAnswerHistoryTurns):] {
		d.History = append(d.History, falaj.Turn{
			Question: quoted.Replace(shorten(t.Question, maxAnswerHistoryRunes)),
			Answer:   quoted.Replace(shorten(oldMarkerRE.ReplaceAllString(t.Answer, ""), maxAnswerHistoryRunes)),
		})
	}
	budget := c.cfg.ContextTokens - c.cfg.MaxTokens - promptMargin
	for {
		system, err := c.cfg.Prompts.Render("system.tmpl", d)
		if err != nil {
			return nil, 0, err
		}
		user, err := c.cfg.Prompts.Render(langTemplate("answer.tmpl", q.Lang), d)
		if err != nil {
			return nil, 0, err
		}
		msgs = []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		}
		need := estimateTokens(msgs)
		switch {
		case need <= budget:
			return msgs, len(d.Passages), nil
		case d.History != nil:
			d.History = nil
		case len(d.Passages) > 1:
			d.Passages = d.Passages[:len(d.Passages)-1]
		default:
			return nil, 0, fmt.Errorf("%w: about %d tokens with one passage, %d of %d left after %d for the answer",
				ErrContextTooSmall, need, budget, c.cfg.ContextTokens, c.cfg.MaxTokens)
		}
	}
}

// estimateTokens estimates the prompt tokens of msgs without a tokenizer, erring high:
// a token per 3 ASCII characters (English averages about 4), 0.7 per other character
// (Arabic and other scripts split finer), and 8 per message for the chat template.
func estimateTokens(msgs []openai.ChatCompletionMessage) int {
	var ascii, other int
	for _, m := range msgs {
		for _, r := range m.Content {
			if r < utf8.RuneSelf {
				ascii++
			} else {
				other++
			}
		}
	}
	return ascii/3 + other*7/10 + 8*len(msgs)
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
