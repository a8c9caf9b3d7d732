/**
 * Restoring the session after a page load starts while the page's scripts still download: this
 * inline script (in the signed-in pages' HTML) asks the session route for an access token at once,
 * taking the same Web Lock as `refresh()` (the refresh token is single-use), and leaves the answer
 * for `refresh()` to take. Without it the request would wait for the bundles and hydration.
 */
export const EARLY_REFRESH_KEY = '__dialoopEarlyRefresh';

/** What the early request left: the route's HTTP status, its JSON body (null if unreadable), and when it came (ms since the epoch). */
export interface EarlyRefresh {
  status: number;
  body: unknown;
  receivedAt: number;
}

export const EARLY_REFRESH_SCRIPT = `(function(){try{
var run=function(){return fetch('/api/session/refresh',{method:'POST',credentials:'same-origin',cache:'no-store',headers:{'content-type':'application/json'}})
.then(function(r){return r.json().then(function(b){return{status:r.status,body:b,receivedAt:Date.now()}},function(){return{status:r.status,body:null,receivedAt:Date.now()}})})};
var p=navigator.locks?navigator.locks.request('dialoop-session-refresh',run):run();
p.catch(function(){});window['${EARLY_REFRESH_KEY}']=p;}catch(e){}})()`;

/** The early request's answer, once (a later refresh asks the route itself). */
export function takeEarlyRefresh(): Promise<EarlyRefresh> | undefined {
  if (typeof window === 'undefined') return undefined;
  const w = window as unknown as Record<string, Promise<EarlyRefresh> | undefined>;
  const p = w[EARLY_REFRESH_KEY];
  delete w[EARLY_REFRESH_KEY];
  return p;
}
