// Inline SVG icons (24x24, currentColor), inserted with innerHTML: the HTML
// parser puts <svg> in the SVG namespace itself, so the markup needs no
// xmlns URL and the bundle stays free of external addresses.

const svg = (body: string) =>
  `<svg viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" `
  + `stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

const MIC_BODY = '<rect x="9" y="3" width="6" height="11" rx="3"/>'
  + '<path d="M5 11a7 7 0 0 0 14 0"/><path d="M12 18v3"/>';
const CAM_BODY = '<rect x="3" y="6" width="13" height="12" rx="2"/><path d="M16 10l5-3v10l-5-3z"/>';
const STRIKE = '<path d="M3 3l18 18"/>';

export const ICON = {
  mic: svg(MIC_BODY),
  micOff: svg(MIC_BODY + STRIKE),
  cam: svg(CAM_BODY),
  camOff: svg(CAM_BODY + STRIKE),
  screen: svg('<rect x="3" y="4" width="18" height="12" rx="2"/><path d="M8 20h8M12 16v4"/>'
    + '<path d="M9 10l3-3 3 3M12 7v6"/>'),
  leave: svg('<path d="M4 15c5-4 11-4 16 0l-2 3-3-1v-2.5c-2-.7-4-.7-6 0V17l-3 1z"/>'),
  chat: svg('<path d="M4 5h16v11H9l-5 4z"/>'),
  link: svg('<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1"/>'
    + '<path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/>'),
};
