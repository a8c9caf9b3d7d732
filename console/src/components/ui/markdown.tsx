'use client';
import { Code, Text } from '@mantine/core';
import ReactMarkdown, { defaultUrlTransform, type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * Markdown (a reply, a dataset card), rendered safely: raw HTML in the text is shown as text (never parsed), links
 * keep only safe protocols (javascript: and the like become empty) and open in a new tab without
 * the opener, and images are not loaded (their alt text and address are shown instead).
 */
function htmlAsText() {
  return (tree: { children?: unknown[] }) => {
    const walk = (node: { type?: string; children?: unknown[] }) => {
      if (node.type === 'html') node.type = 'text';
      for (const child of node.children ?? []) walk(child as { type?: string; children?: unknown[] });
    };
    walk(tree);
  };
}

const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  img: ({ alt, src }) => (
    <Text span c="dimmed" size="sm">
      [{alt || 'image'}{typeof src === 'string' && src ? `: ${src}` : ''}]
    </Text>
  ),
  pre: ({ children }) => <pre style={{ margin: '0.5em 0', padding: '0.75em', background: 'var(--mantine-color-gray-1)', borderRadius: 6, overflowX: 'auto' }}>{children}</pre>,
  code: ({ children, className }) => (className ? <code className={className}>{children}</code> : <Code>{children}</Code>),
};

export function Markdown({ text }: { text: string }) {
  return (
    <div className="dialoop-markdown">
      <ReactMarkdown remarkPlugins={[remarkGfm, htmlAsText]} components={components} urlTransform={(url) => defaultUrlTransform(url)} skipHtml={false}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
