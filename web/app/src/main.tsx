import { render } from 'preact';
import { App } from './app';
import { egymContext, type EgymContext } from './egym-host';
import { pickLanguage, setLanguage } from './i18n';
import { navigate, routeOf } from './routes';
import { startInBrowser, startInEgymApp } from './session';
import './style.css';

/** The EGYM app's colours on buttons and bars, when they are colours at all (they end up in CSS). */
function applyHostColours({ primaryColor, primaryTextColor }: EgymContext): void {
  const style = document.documentElement.style;
  if (primaryColor && CSS.supports('color', primaryColor)) style.setProperty('--primary', primaryColor);
  if (primaryTextColor && CSS.supports('color', primaryTextColor)) style.setProperty('--on-primary', primaryTextColor);
}

/** In a club's website (an iframe), tell the page our height so its frame can fit the app without a scrollbar. */
function reportHeightToEmbeddingPage(): void {
  // the body's own height: the document's would never fall below the frame's, so the frame could not shrink
  const post = () => parent.postMessage({ type: 'clubcore:height', height: Math.ceil(document.body.getBoundingClientRect().height) }, '*');
  new ResizeObserver(post).observe(document.body);
}

const egym = egymContext();
setLanguage(pickLanguage([egym?.language, ...navigator.languages]));
if (egym) {
  applyHostColours(egym);
  if (egym.startingRoute) navigate(routeOf(`${import.meta.env.BASE_URL}${egym.startingRoute.replace(/^\/+/, '')}`), true);
  void startInEgymApp(egym.authToken);
} else {
  startInBrowser();
}
if (parent !== window) reportHeightToEmbeddingPage();

render(<App retryEgym={() => egym && void startInEgymApp(egym.authToken)} />, document.getElementById('root')!);
