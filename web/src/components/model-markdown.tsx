import { useEffect, useState } from 'react';

type Render = (markdown: string) => string;
let loading: Promise<Render> | undefined;

/** marked and DOMPurify, fetched the first time a card is shown (not part of the first load). */
function loadRenderer(): Promise<Render> {
  loading ??= Promise.all([import('marked'), import('dompurify')]).then(([{ marked }, { default: DOMPurify }]) => {
    // A card's headings sit under the page's h1 and the card section's h2: `#` becomes an h3.
    const walkTokens = (token: { type: string; depth?: number }) => {
      if (token.type === 'heading' && token.depth) token.depth = Math.min(6, token.depth + 2);
    };
    return (markdown: string) => DOMPurify.sanitize(marked.parse(markdown, { async: false, gfm: true, walkTokens }) as string);
  });
  return loading;
}

/** Markdown rendered to sanitized HTML; the text itself while the renderer loads or if it fails to. */
export function ModelMarkdown({ markdown }: { markdown: string }) {
  const [render, setRender] = useState<Render | undefined>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    loadRenderer().then(
      (r) => live && setRender(() => r),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);
  if (!render) {
    return (
      <pre className="model-markdown-source" aria-busy={!failed}>
        {markdown}
      </pre>
    );
  }
  return (
    <div
      className="markdown model-markdown"
      // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML is marked's output sanitized by DOMPurify.
      dangerouslySetInnerHTML={{ __html: render(markdown) }}
    />
  );
}
