// Client-side routes: "/" is the home screen, "/<room>" the pre-join
// screen of that room (nginx's spa route answers both with index.html).

let router: () => void = () => {};

export function setRouter(fn: () => void): void {
  router = fn;
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  router();
}
