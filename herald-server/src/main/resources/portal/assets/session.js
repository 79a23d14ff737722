// Where a tab keeps its token: sessionStorage, so it is gone when the tab closes and never sent anywhere
// by the browser on its own.

export function tokenStore(key) {
  return {
    get: () => sessionStorage.getItem(key),
    set: (token) => sessionStorage.setItem(key, token),
    clear: () => sessionStorage.removeItem(key),
  };
}

/**
 * Takes a token from a portal link's fragment (#token=hps_…), stores it and removes it from the address
 * bar and the history, so it is not left in the tab or copied with the URL. Returns whether one was found.
 */
export function takeTokenFromFragment(store) {
  const hash = location.hash;
  if (!hash.startsWith('#token=')) return false;
  const token = decodeURIComponent(hash.slice('#token='.length).split('&')[0]);
  if (token) store.set(token);
  history.replaceState(null, '', location.pathname + location.search + '#/');
  return Boolean(token);
}
