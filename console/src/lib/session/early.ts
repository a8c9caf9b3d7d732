/**
 * Inlined in the document's head for a signed-in visitor: the session refresh starts while the
 * page's scripts still load, instead of after hydration (the first api request of a page waits
 * for the access token it brings). It takes the same Web Lock as `refresh()` in ./client, which picks its answer up.
 */
export const EARLY_REFRESH_SCRIPT = `(()=>{const run=()=>fetch('/api/session/refresh',{method:'POST',credentials:'same-origin',cache:'no-store',headers:{'content-type':'application/json'}}).then(r=>r.json().then(b=>({status:r.status,body:b}),()=>({status:r.status,body:null})));window.__dialoopSession=(navigator.locks?navigator.locks.request('dialoop-session-refresh',run):run()).catch(()=>({status:0,body:null}));})();`;
