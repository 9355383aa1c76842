import { escapeInline, escapeTableCell, renderCodeSpan, renderFence, renderInlineMarkdown } from './escape-markdown';

describe('escape-markdown', () => {
  it('escapes what would start markup, HTML or an entity', () => {
    expect(escapeInline('a <b> & *c* _d_ [e](f) `g` ~h~ #1 \\')).toBe(
      'a \\<b\\> \\& \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` \\~h\\~ \\#1 \\\\',
    );
    expect(escapeInline('two\n  lines ')).toBe('two lines');
  });

  it('escapes pipes for table cells, inside code spans too', () => {
    expect(escapeTableCell(`${renderCodeSpan('a|b')} c|d`)).toBe('`a\\|b` c\\|d');
  });

  it('code spans and fences outgrow the backticks inside them', () => {
    expect(renderCodeSpan('plain')).toBe('`plain`');
    expect(renderCodeSpan('a `b` c')).toBe('``a `b` c``');
    expect(renderCodeSpan('`edge')).toBe('`` `edge ``');
    expect(renderFence('x\n', 'text')).toBe('```text\nx\n```');
    expect(renderFence('```js\ny\n```', 'diff')).toBe('````diff\n```js\ny\n```\n````');
  });

  it('renderInlineMarkdown keeps `code` as code and escapes the rest', () => {
    expect(renderInlineMarkdown('Run `nx g a --x "<y>"` for <z>')).toBe('Run `nx g a --x "<y>"` for \\<z\\>');
  });
});
