// A note as a page: Markdown through marked, then DOMPurify, so nothing in a note can run script or reach out
// (links to the web open outside the app; images, styles, forms and in-page links are dropped). [Note: ui-notes]
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import type { Segment } from '../../shared/types.js';

const marked = new Marked({ gfm: true, breaks: false });

let hooked = false;
function hook(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') {
      const href = node.getAttribute('href') ?? '';
      if (/^(https?:|mailto:)/i.test(href)) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      } else {
        node.removeAttribute('href'); // relative and #fragment links would move this app, not the note
      }
    }
    if (node.tagName === 'IMG' && !/^data:image\//i.test(node.getAttribute('src') ?? '')) node.removeAttribute('src');
  });
}

/** Drops a YAML front matter block, which is metadata, not prose. */
export function stripFrontMatter(text: string): string {
  return text.replace(/^\uFEFF?---\r?\n[\s\S]*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/, '');
}

export function renderMarkdown(text: string): string {
  hook();
  const html = marked.parse(stripFrontMatter(text), { async: false });
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'svg', 'math'],
    FORBID_ATTR: ['style', 'class', 'id'],
  });
}

/** Plain text as paragraphs (a .txt note), escaped. */
export function renderPlain(text: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escape(p).replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n');
}

/**
 * A note rebuilt from its indexed chunks, when its file cannot be shown as it is (a PDF, a legacy encoding): each
 * chunk under its headings, a heading written where the breadcrumb changes.
 */
export function fromChunks(segments: readonly Segment[]): string {
  const chunks = segments.filter((s) => s.kind === 'text' && s.text).sort((a, b) => a.ordinal - b.ordinal);
  const out: string[] = [];
  let crumb: readonly string[] = [];
  for (const c of chunks) {
    const same = c.breadcrumb.length === crumb.length && c.breadcrumb.every((h, i) => h === crumb[i]);
    if (!same) {
      const from = c.breadcrumb.findIndex((h, i) => h !== crumb[i]);
      c.breadcrumb.slice(from < 0 ? c.breadcrumb.length : from).forEach((h, k) => out.push(`${'#'.repeat(Math.min(6, from + k + 2))} ${h}`));
      crumb = c.breadcrumb;
    }
    out.push(c.text!);
  }
  return out.join('\n\n');
}
