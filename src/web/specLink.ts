import { toSpecJson } from '../spec/validate';
import type { Spec } from '../spec/types';

/**
 * A spec shared by link: the spec-file JSON in the URL's `spec` parameter, as base64url of its UTF-8 bytes (names
 * hold ∂, η, μ). The page that opens the link validates it as any spec file.
 */

const SPEC_PARAM = 'spec';

function toBase64Url(text: string): string {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(code: string): string {
  const b64 = code.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The page's address with the spec in it. */
export function specLink(base: string, spec: Spec): string {
  const url = new URL(base);
  url.search = '';
  url.hash = '';
  url.searchParams.set(SPEC_PARAM, toBase64Url(JSON.stringify(toSpecJson(spec))));
  return url.toString();
}

/** The spec text a link carries, or null when it carries none; a garbled one is an Error saying so. */
export function specTextFromLink(search: string): string | null {
  const code = new URLSearchParams(search).get(SPEC_PARAM);
  if (code === null) return null;
  try {
    return fromBase64Url(code);
  } catch {
    throw new Error('the link\'s spec is not readable (cut short or changed?); the page opened its default sheet instead');
  }
}
