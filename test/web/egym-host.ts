import type { Page } from 'playwright-core';

/*
 * The EGYM app as host of the tile, in the page, as its Ionic Portals WebView presents itself to the
 * web app on iOS: the initial context on window.portalInitialContext, and Capacitor's native bridge
 * with the Portals plugin. @ionic/portals' own web implementation delivers no messages (its
 * addListener rejects off a device), so a host is whatever answers Capacitor's bridge calls: the
 * plugin's header (which makes @capacitor/core route Portals' calls to the bridge), nativePromise
 * for publishNative, and nativeCallback for addListener, whose callback gets each message as
 * {topic, data}. The host's answers are decided in the test (`answer`).
 */

export interface EgymTileContext {
  authToken: string;
  language?: string;
  primaryColor?: string;
  primaryTextColor?: string;
  startingRoute?: string;
}

export interface PortalMessage {
  topic: string;
  data?: unknown;
}

/** What the host received from the web app (each publish), in order. */
export interface EgymHost {
  published: PortalMessage[];
}

function installHost(context: EgymTileContext): void {
  const win = globalThis as any;
  const listeners = new Map<number, { eventName: string; callback: (data: unknown) => void }>();
  let nextCallbackId = 1;
  win.portalInitialContext = { name: 'egymTile', value: context };
  win.webkit = { messageHandlers: { bridge: { postMessage() {} } } }; // what @capacitor/core takes for iOS
  win.Capacitor = {
    PluginHeaders: [
      {
        name: 'Portals',
        methods: [
          { name: 'publishNative', rtype: 'promise' },
          { name: 'addListener', rtype: 'callback' },
          { name: 'removeListener', rtype: 'promise' },
        ],
      },
    ],
    async nativePromise(plugin: string, method: string, options: any) {
      if (plugin !== 'Portals') throw new Error(`no native plugin ${plugin}`);
      if (method === 'removeListener') return void listeners.delete(options.callbackId);
      const reply: PortalMessage | null = await win.egymHostReceived(options);
      // the native side answers later, on its own turn
      if (reply) setTimeout(() => [...listeners.values()].filter((l) => l.eventName === reply.topic).forEach((l) => l.callback(reply)));
    },
    nativeCallback(_plugin: string, _method: string, options: any, callback: (data: unknown) => void) {
      const id = nextCallbackId++;
      listeners.set(id, { eventName: options.eventName, callback });
      return id;
    },
  };
}

/** Opens the tile's host on a page (before it loads): `answer` gives the reply to each published message, or null. */
export async function egymHost(page: Page, context: EgymTileContext, answer: (message: PortalMessage) => Promise<PortalMessage | null>): Promise<EgymHost> {
  const host: EgymHost = { published: [] };
  await page.exposeFunction('egymHostReceived', async (message: PortalMessage) => {
    host.published.push(message);
    return answer(message);
  });
  await page.addInitScript(installHost, context);
  return host;
}
