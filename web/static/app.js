// Falaj page script. The page works without it (a plain form post answered by the
// server); this adds streaming answers, the passage dialog and presenter mode.
// All text from the model or the corpus goes through textContent, never innerHTML.
'use strict';

(() => {
  const root = document.documentElement;
  const presenterKey = 'falaj.presenter';

  // Presenter mode: ?presenter=1 or =0 sets it and is remembered; otherwise the stored
  // choice applies. This runs in <head>, before the body is drawn, so nothing flickers.
  function store(value) {
    try { localStorage.setItem(presenterKey, value); } catch (_) { /* private mode */ }
  }
  function stored() {
    try { return localStorage.getItem(presenterKey); } catch (_) { return null; }
  }
  const asked = new URLSearchParams(location.search).get('presenter');
  if (asked === '1' || asked === '0') store(asked);
  root.classList.toggle('presenter', (asked || stored()) === '1');
  root.classList.add('js');

  document.addEventListener('DOMContentLoaded', () => {
    const $ = (id) => document.getElementById(id);
    const form = $('ask');
    const input = $('q');
    const result = $('result');
    const status = $('status');
    const dialog = $('passage');
    const toggle = $('presenter-toggle');
    let inflight = null; // AbortController of the answer being streamed
    let opener = null;   // the element that opened the dialog, focused again on close

    // --- presenter mode ---
    function setPresenter(on) {
      root.classList.toggle('presenter', on);
      toggle.setAttribute('aria-pressed', String(on));
      store(on ? '1' : '0');
    }
    toggle.setAttribute('aria-pressed', String(root.classList.contains('presenter')));
    toggle.addEventListener('click', (e) => {
      e.preventDefault();
      setPresenter(!root.classList.contains('presenter'));
    });
    toggle.addEventListener('keydown', (e) => { // role=button: Space activates too
      if (e.key === ' ') { e.preventDefault(); toggle.click(); }
    });

    // --- asking ---
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      ask(input.value);
    });
    for (const a of document.querySelectorAll('a.example')) {
      a.addEventListener('click', (e) => {
        e.preventDefault();
        input.value = a.textContent;
        ask(a.textContent);
      });
    }

    function el(tag, className, text) {
      const n = document.createElement(tag);
      if (className) n.className = className;
      if (text !== undefined) n.textContent = text;
      return n;
    }

    function clearResult() {
      for (const n of [...result.children]) if (n !== status) n.remove();
    }

    function setStatus(text, busy) {
      status.textContent = text;
      status.classList.toggle('busy', !!busy);
      result.setAttribute('aria-busy', String(!!busy));
    }

    function showError(msg, id) {
      clearResult();
      setStatus('');
      const p = el('p', 'error', msg);
      p.setAttribute('role', 'alert');
      if (id) p.append(' ', el('span', 'error-id', `(error id ${id})`));
      result.append(p);
    }

    async function ask(raw) {
      const text = raw.trim();
      if (!text) {
        showError('Please ask a question: the text was empty.');
        input.focus();
        return;
      }
      if (inflight) inflight.abort();
      if (dialog.open) dialog.close();
      const ctl = new AbortController();
      inflight = ctl;
      const url = new URL(location.href);
      url.search = '';
      url.searchParams.set('q', text);
      history.replaceState(null, '', url);
      document.title = `${text} · Falaj`;
      clearResult();
      setStatus('Searching the sources…', true);

      let res;
      try {
        res = await fetch(`/api/ask/stream?q=${encodeURIComponent(text)}`, {
          signal: ctl.signal,
          headers: { Accept: 'text/event-stream' },
        });
      } catch (err) {
        if (!ctl.signal.aborted) showError('Cannot reach the Falaj server. Is “falaj serve” still running?');
        return;
      }
      if (!res.ok) {
        let msg = `The server answered ${res.status}.`;
        let id;
        try { const body = await res.json(); msg = body.error || msg; id = body.error_id; } catch (_) { /* not JSON */ }
        showError(msg, id);
        return;
      }

      const article = el('article', 'answer');
      const para = el('p', 'answer-text streaming');
      para.dir = 'auto'; // an Arabic answer streams right to left
      article.append(para);
      let streamed = '';
      let finished = false;
      const handle = (event, data) => {
        if (event === 'delta') {
          if (!streamed) { result.append(article); setStatus('Writing…', true); }
          streamed += JSON.parse(data);
          para.textContent = streamed;
        } else if (event === 'answer') {
          finished = true;
          renderAnswer(JSON.parse(data));
        } else if (event === 'error') {
          finished = true;
          const body = JSON.parse(data);
          showError(body.error, body.error_id);
        }
      };
      try {
        await readEvents(res.body, handle);
      } catch (err) {
        if (ctl.signal.aborted) return;
      }
      if (inflight === ctl) inflight = null;
      if (!finished && !ctl.signal.aborted) showError('The answer stopped before it was complete. Please ask again.');
    }

    // readEvents parses a text/event-stream body and calls handle(event, data) per event.
    async function readEvents(body, handle) {
      const reader = body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let event = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const i = line.indexOf(':');
            const field = i < 0 ? line : line.slice(0, i);
            let v = i < 0 ? '' : line.slice(i + 1);
            if (v.startsWith(' ')) v = v.slice(1);
            if (field === 'event') event = v;
            else if (field === 'data') data.push(v);
          }
          if (data.length) handle(event, data.join('\n'));
        }
      }
    }

    // renderAnswer draws a final answer (falaj.AnswerJSON), like page.tmpl does.
    function renderAnswer(a) {
      clearResult();
      const byN = new Map(a.citations.map((c) => [c.n, c]));
      const article = el('article', a.answered ? 'answer' : 'answer declined');
      article.dataset.answerId = a.id;
      // An Arabic answer reads right to left; its fixed texts come from the page (prompts/).
      const rtl = a.lang === 'ar';
      const labels = rtl ? document.querySelector('main').dataset : {};
      if (rtl) { article.lang = a.lang; article.dir = 'rtl'; }
      if (a.status === 'related') {
        // On topic, but no passage answers it confidently: the passages that look related.
        const main = document.querySelector('main').dataset;
        article.append(el('p', 'badge', labels.arBadgeRelated || main.badgeRelated));
      } else if (!a.answered) {
        article.append(el('p', 'badge', labels.arBadge || 'Not in the sources'));
      }
      let text = a.answer;
      const para = el('p', 'answer-text');
      const cut = text.indexOf('\n\n');
      if (rtl && a.answered && a.answerer === 'extractive' && cut > 0) {
        // An Arabic frame above the sources' English sentences, shown left to right.
        article.append(el('p', 'frame', text.slice(0, cut)));
        text = text.slice(cut + 2);
        para.lang = 'en';
        para.dir = 'ltr';
      }
      appendWithMarkers(para, text, a.citations, byN);
      article.append(para);
      if (a.note) article.append(el('p', 'note', a.note));
      if (a.citations.length) {
        article.append(el('h2', 'citations-title', labels.arCited || 'Cited passages'));
        const ol = el('ol', 'citations');
        if (rtl) { ol.lang = 'en'; ol.dir = 'ltr'; }
        for (const c of a.citations) ol.append(citationItem(c));
        article.append(ol);
      }
      const who = a.answerer === 'llm' ? `Written by ${a.model}` : (labels.arExtracted || 'Sentences taken from the sources');
      if (a.answered && rtl) {
        const meta = el('p', 'meta', `${who} · `);
        const t = el('bdi', '', took(a.timings_ms.total));
        t.dir = 'ltr'; // "12 ms", not "ms 12", inside the Arabic line
        meta.append(t);
        article.append(meta);
      } else if (a.answered) article.append(el('p', 'meta', `${who} · ${took(a.timings_ms.total)}`));
      result.append(article);
      const n = a.citations.length;
      setStatus(a.answered ? `Answered from ${n} passage${n === 1 ? '' : 's'}.` : 'The sources do not cover this question.');
    }

    function took(ms) {
      return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
    }

    // citationMarkers finds the citation markers of an answer as falaj.CitationMarkers
    // does (footnote.go): a bracket whose numbers are all cited, unless it and up to 32
    // characters before it (not reaching back past the previous citation and the
    // punctuation after it) appear in a
    // cited passage, white space folded: the source's own footnote, copied with a sentence.
    function citationMarkers(text, citations, byN) {
      const fold = (s) => s.replace(/\s+/g, ' ');
      const passages = citations.filter((c) => c.text && c.text.includes('[')).map((c) => fold(c.text));
      const re = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
      const out = [];
      let after = 0;
      let m;
      while ((m = re.exec(text)) !== null) {
        const ns = m[1].split(',').map((s) => Number(s.trim()));
        if (!ns.every((n) => byN.has(n))) continue;
        const start = m.index;
        const end = re.lastIndex;
        let from = start;
        for (let k = 0; k < 32 && from > after; k++) {
          from--;
          const c = text.charCodeAt(from);
          if (c >= 0xdc00 && c <= 0xdfff && from > after) from--; // the pair is one character
        }
        if (passages.length && /[\p{L}\p{N}]/u.test(text.slice(from, start))) {
          const needle = fold(text.slice(from, end)).trimStart();
          if (passages.some((p) => p.includes(needle))) continue;
        }
        out.push({ start, end, ns });
        after = end + /^[.,;:!?)\]»”’\s]*/.exec(text.slice(end))[0].length;
      }
      return out;
    }

    // appendText appends text to parent, with each bracket that looks like a marker but is
    // none (a number no citation has, the source's own footnote) as a muted note.
    function appendText(parent, text) {
      const re = /\[\d+(?:\s*,\s*\d+)*\]/g;
      let last = 0;
      let m;
      while ((m = re.exec(text)) !== null) {
        parent.append(text.slice(last, m.index));
        const note = el('span', 'source-note', m[0]);
        note.title = "Part of the source's text, not a citation";
        parent.append(note);
        last = re.lastIndex;
      }
      parent.append(text.slice(last));
    }

    // appendWithMarkers appends text to parent with each citation marker (citationMarkers)
    // as a button. Adjacent markers and the punctuation right after them share a span that
    // does not wrap, so a line never starts with the "." of "states [1].".
    function appendWithMarkers(parent, text, citations, byN) {
      let last = 0;
      let group = null;
      let grouped = false; // group ends with punctuation: a new marker starts a new group
      for (const m of citationMarkers(text, citations, byN)) {
        if (m.start < last) continue;
        if (!group || grouped || m.start !== last) {
          appendText(parent, text.slice(last, m.start));
          group = el('span', 'cites');
          grouped = false;
          parent.append(group);
        }
        for (const n of m.ns) group.append(citeButton(byN.get(n)));
        last = m.end;
        const tail = /^[.,;:!?)\]»”’]+/.exec(text.slice(last));
        if (tail) {
          group.append(tail[0]);
          grouped = true;
          last += tail[0].length;
        }
      }
      appendText(parent, text.slice(last));
    }

    // citationItem is one entry of the list of cited passages; its title opens the passage.
    function citationItem(c) {
      const li = el('li', 'citation');
      li.id = `cite-${c.n}`;
      const open = el('button', 'open-passage');
      open.type = 'button';
      open.setAttribute('aria-haspopup', 'dialog');
      open.append(el('span', 'n', `[${c.n}]`), el('span', 'title', c.title));
      open.addEventListener('click', () => openPassage(c, open));
      const head = el('p', 'citation-head');
      head.append(open);
      li.append(head, el('p', 'by', byline(c)));
      return li;
    }

    function citeButton(c) {
      const b = el('button', 'cite', `[${c.n}]`);
      b.type = 'button';
      b.dataset.n = c.n;
      b.setAttribute('aria-haspopup', 'dialog');
      b.setAttribute('aria-label', `Source ${c.n}: ${c.title}`);
      b.addEventListener('click', () => openPassage(c, b));
      return b;
    }

    // Server-rendered answers (a reload, or an answer page opened by link) get the same
    // buttons as streamed ones, from the citations listed in the page.
    const listed = new Map();
    for (const li of document.querySelectorAll('#result li.citation')) {
      const c = {
        n: Number(li.id.replace('cite-', '')),
        title: li.querySelector('.title').textContent,
        author: li.dataset.author,
        passage: Number(li.dataset.passage),
        text: li.querySelector('.passage').textContent,
        quote: [...li.querySelectorAll('mark')].map((m) => m.textContent).join(' '),
      };
      listed.set(c.n, c);
      li.replaceWith(citationItem(c));
    }
    for (const a of document.querySelectorAll('#result a.cite')) {
      const c = listed.get(Number(a.dataset.n));
      if (c) a.replaceWith(citeButton(c));
    }

    // --- the passage panel ---
    // Wide screens show the passage beside the answer (a non-modal dialog), so both stay
    // readable on a projector; narrow screens show it as a modal dialog over the page.
    const wide = window.matchMedia('(min-width: 70rem)');
    const wideForPresenter = window.matchMedia('(min-width: 100rem)');
    function openPassage(c, from) {
      opener = from;
      $('passage-n').textContent = `Source [${c.n}]`;
      $('passage-title').textContent = c.title;
      $('passage-by').textContent = byline(c);
      const bq = $('passage-text');
      bq.replaceChildren(...highlight(c.text, c.quote));
      if (!dialog.open) {
        const side = root.classList.contains('presenter') ? wideForPresenter.matches : wide.matches;
        dialog.classList.toggle('side', side);
        root.classList.toggle('panel-open', side);
        if (side) dialog.show(); else dialog.showModal();
      }
      bq.focus({ preventScroll: true });
      const mark = bq.querySelector('mark');
      if (mark) mark.scrollIntoView({ block: 'nearest' });
    }
    dialog.addEventListener('close', () => {
      root.classList.remove('panel-open');
      if (opener && opener.isConnected) opener.focus();
      opener = null;
    });
    dialog.addEventListener('click', (e) => { // a click on the backdrop closes
      if (e.target === dialog) dialog.close();
    });
    document.addEventListener('keydown', (e) => { // a modal dialog closes on Escape by itself
      if (e.key === 'Escape' && dialog.open && !dialog.matches(':modal')) {
        e.preventDefault();
        dialog.close();
      }
    });

    function byline(c) {
      return [c.author, c.passage ? `passage ${c.passage}` : ''].filter(Boolean).join(' · ');
    }

    // highlight returns text as nodes with the quote's sentences in <mark>s, as the
    // server's highlight does: the quote may join sentences that are apart in the passage,
    // so each is found on its own, exactly or else ignoring differences in white space.
    function highlight(text, quote) {
      const ranges = [];
      for (const s of sentences(quote || '')) {
        let i = text.indexOf(s);
        let j = i + s.length;
        if (i < 0) {
          const words = s.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
          const m = new RegExp(words.join('\\s+')).exec(text);
          if (!m) continue;
          i = m.index;
          j = i + m[0].length;
        }
        ranges.push([i, j]);
      }
      ranges.sort((a, b) => a[0] - b[0]);
      const out = [];
      let last = 0;
      let prev = null; // the last <mark>, extended over white space to the next one
      for (let [i, j] of ranges) {
        if (i < last) { i = last; if (j <= last) continue; }
        const gap = text.slice(last, i);
        if (prev && out[out.length - 1] === prev && gap.trim() === '') {
          prev.textContent += gap + text.slice(i, j);
        } else {
          if (gap) out.push(gap);
          prev = el('mark', '', text.slice(i, j));
          out.push(prev);
        }
        last = j;
      }
      if (last < text.length || !out.length) out.push(text.slice(last));
      return out;
    }

    function sentences(s) {
      // Parts without a letter or digit are the " … " that joins sentences from apart.
      return s.split(/(?<=[.!?…]["'”’)\]]*)\s+/).map((x) => x.trim()).filter((x) => /[\p{L}\p{N}]/u.test(x));
    }
  });
})();
