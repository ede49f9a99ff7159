package bot

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/falaj-bot/falaj"
)

// Discord's limits on embeds, in characters.
const (
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFields      = 25
	maxFieldName        = 256
	maxFieldValue       = 1024
	maxEmbedFooter      = 2048
	maxEmbedTotal       = 6000
	maxQuoteRunes       = 200 // a "short quote" in the Sources embed
	// maxPassageStartRunes is how much of a passage identifies it when its citation
	// has no quote.
	maxPassageStartRunes = 100
	embedColor           = 0x1f7a6d
)

// noMentions is sent on every message, edit, interaction response and followup: its
// empty parse list means nothing in the text (@everyone, @here, <@id>, <@&role>) pings
// anyone, whatever the question, the corpus or the model says.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// reply is an answer rendered for Discord: the text parts (each ≤ 2000 characters), the
// embeds and the components that go with the last part.
type reply struct {
	parts      []string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
}

// renderAnswer renders a as Discord messages: prefix (the quoted question of /ask, or
// ""), the text with its [n] markers (other brackets as footnotes, see answerText) and
// note, split within Discord's limit, then a Sources embed (none when the answer
// declined) and the feedback buttons.
// maxAnswerMessages is the most messages one answer takes in a channel; a longer answer
// is cut, ending with cutNote.
const maxAnswerMessages = 4

// cutNote ends an answer cut to maxAnswerMessages messages.
const cutNote = " …\n-# The answer was too long for Discord and was cut here."

func renderAnswer(prefix string, a falaj.Answer) reply {
	body, note := answerText(a), oneLine(a.Note)
	if a.Lang == falaj.LangArabic {
		body, note = rightToLeft(body), rightToLeft(note)
	}
	text := prefix + body
	if note != "" {
		text += "\n\n-# " + note
	}
	r := reply{parts: splitMessage(text, maxMessageRunes)}
	if len(r.parts) == 0 {
		r.parts = []string{"(no answer)"}
	}
	if len(r.parts) > maxAnswerMessages {
		// A runaway reply (up to falaj.MaxReplyBytes) would flood the channel.
		r.parts = r.parts[:maxAnswerMessages]
		last := []rune(r.parts[maxAnswerMessages-1])
		r.parts[maxAnswerMessages-1] = string(last[:min(len(last), maxMessageRunes-len([]rune(cutNote)))]) + cutNote
	}
	// Sources for an answer, and for the related outcome the passages that look related;
	// a decline has none.
	if len(a.Citations) > 0 {
		r.embeds = []*discordgo.MessageEmbed{sourcesEmbed(a.Citations)}
		r.embeds[0].Title = falaj.SourcesHeading(a.Lang)
	}
	r.components = feedbackButtons(a.ID)
	return r
}

// Unicode bidi controls for Discord, whose clients set each line's direction from its
// first strong character.
const (
	rlm = "\u200f" // right-to-left mark: the line is Arabic even if it opens with "JCPOA"
	lri = "\u2066" // left-to-right isolate…
	pdi = "\u2069" // …and its end, around [n] so it stays whole beside Latin words
)

// rightToLeft prepares Arabic text for Discord: each line that is mostly Arabic starts
// with a right-to-left mark and has its [n] markers isolated left to right; lines in
// English (an extractive answer's sentences from the sources) are left as they are.
func rightToLeft(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" || falaj.DetectLanguage(l) != falaj.LangArabic {
			continue
		}
		lines[i] = rlm + markerRE.ReplaceAllString(l, lri+"$0"+pdi)
	}
	return strings.Join(lines, "\n")
}

// markerRE matches a citation marker, "[1]" or "[1, 2]".
var markerRE = regexp.MustCompile(`\[\d+(?:\s*,\s*\d+)*\]`)

// sourcesEmbed lists the citations: one field per citation, named "[n] Title", with the
// author, the passage number and a short quote, all within Discord's embed limits.
func sourcesEmbed(cs []falaj.Citation) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Title: "Sources", Color: embedColor}
	total := utf8.RuneCountInString(e.Title)
	for i, c := range cs {
		if len(e.Fields) == maxEmbedFields-1 && i < len(cs)-1 {
			more := fmt.Sprintf("%d more sources are not shown.", len(cs)-i)
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "…", Value: more})
			break
		}
		name := truncate(fmt.Sprintf("[%d] %s", c.N, oneLine(c.Passage.Title)), maxFieldName)
		value := citationValue(c)
		n := utf8.RuneCountInString(name) + utf8.RuneCountInString(value)
		if total+n > maxEmbedTotal-100 { // keep room for the "more" line
			more := fmt.Sprintf("%d more sources are not shown.", len(cs)-i)
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "…", Value: more})
			break
		}
		total += n
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: name, Value: value})
	}
	return e
}

// citationValue is the body of a citation's field: "Author · passage n", then the
// quote as "> …", or, when the citation has none, "Passage begins: …".
func citationValue(c falaj.Citation) string {
	by := oneLine(c.Passage.Author)
	if by == "" {
		by = oneLine(c.Passage.Outlet)
	}
	var b strings.Builder
	if by != "" {
		b.WriteString(truncate(by, 200))
		b.WriteString(" · ")
	}
	fmt.Fprintf(&b, "passage %d", c.Passage.Ordinal)
	if quote := footnotes(oneLine(c.Quote)); quote != "" {
		b.WriteString("\n> ")
		b.WriteString(truncate(quote, maxQuoteRunes))
	} else if start := footnotes(oneLine(c.Passage.Text)); start != "" {
		// No quote (an LLM's citation names the passage, not the words it used): the
		// passage's opening words identify it, labelled as such and not quoted, since
		// they need not be what the answer drew on.
		b.WriteString("\nPassage begins: ")
		b.WriteString(falaj.Excerpt(start, maxPassageStartRunes))
	}
	return truncate(b.String(), maxFieldValue)
}

// sourcesListEmbed renders the corpus for /sources within the embed limits.
func sourcesListEmbed(srcs []falaj.Source) *discordgo.MessageEmbed {
	passages := 0
	for _, s := range srcs {
		passages += s.Passages
	}
	e := &discordgo.MessageEmbed{
		Title: truncate(fmt.Sprintf("Sources: %d documents, %d passages", len(srcs), passages), maxEmbedTitle),
		Color: embedColor,
	}
	var b strings.Builder
	for i, s := range srcs {
		line := "• **" + oneLine(s.Title) + "**"
		var meta []string
		for _, m := range []string{s.Author, s.Outlet, s.Date} {
			if m = oneLine(m); m != "" {
				meta = append(meta, m)
			}
		}
		if len(meta) > 0 {
			line += " — " + strings.Join(meta, ", ")
		}
		line = truncate(line, 400) + "\n"
		more := fmt.Sprintf("… and %d more.", len(srcs)-i)
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(line)+len(more) > maxEmbedDescription {
			b.WriteString(more)
			break
		}
		b.WriteString(line)
	}
	if len(srcs) == 0 {
		b.WriteString("The index is empty.")
	}
	e.Description = strings.TrimSpace(b.String())
	return e
}

// embedSize is the number of characters Discord counts against the 6000 total.
func embedSize(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	if e.Author != nil {
		n += utf8.RuneCountInString(e.Author.Name)
	}
	return n
}

// truncate shortens s to at most max runes, ending with "…" when it cut.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}

// oneLine collapses runs of white space, newlines included, into single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// answerText is a's text for Discord: its citation markers (falaj.CitationMarkers) as
// they are, and every other bracket that looks like one, a footnote of the sources'
// text that an answer quoted ("…in 2011.[12]") or a number no citation has, as a
// footnote (see footnotes), so that only the answer's own [n] read as citations.
func answerText(a falaj.Answer) string {
	var b strings.Builder
	last := 0
	for _, m := range falaj.CitationMarkers(a) {
		b.WriteString(footnotes(a.Text[last:m.Start]))
		b.WriteString(a.Text[m.Start:m.End])
		last = m.End
	}
	b.WriteString(footnotes(a.Text[last:]))
	return b.String()
}

// bracketRE matches brackets that look like citation markers: "[12]", "[1, 2]".
var bracketRE = regexp.MustCompile(`\[\d+(?:\s*,\s*\d+)*\]`)

// superscript writes digits and commas as superscripts.
var superscript = strings.NewReplacer("0", "⁰", "1", "¹", "2", "²", "3", "³", "4", "⁴", "5", "⁵", "6", "⁶", "7", "⁷",
	"8", "⁸", "9", "⁹", ",", "˒", " ", "")

// footnotes rewrites the brackets of s that look like citation markers as superscripts,
// "[12]" as "⁽¹²⁾": text of the sources keeps its footnotes visible, but they cannot be
// taken for the answer's citations. s is text of the sources (a quote, a passage) or the
// parts of an answer that are no citation.
func footnotes(s string) string {
	if !strings.Contains(s, "[") {
		return s
	}
	return bracketRE.ReplaceAllStringFunc(s, func(m string) string {
		return "⁽" + superscript.Replace(m[1:len(m)-1]) + "⁾"
	})
}
