/**
 * A cookie's value as text. Cookies are whatever the client sends; a value that is not valid percent-encoding
 * (`%E0%A4%A`, `%zz`) makes `decodeURIComponent` throw, which once turned every page view into a 500 for as long as
 * the browser kept the cookie. Such a value reads as absent.
 */
export function decodeCookieValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
