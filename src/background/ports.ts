/**
 * The browser APIs the webmail integration uses, as small ports: the handlers
 * take them as arguments so unit tests run the real logic against fakes, and
 * `browserPorts()` is the one place that touches `browser.*` (lazily: nothing is
 * called until a handler needs it).
 */
import { browser } from 'wxt/browser';
import type { TabCommand } from '../messaging/messages';
import { isResult } from '../messaging/result';
import type { DnrPort } from './remote-rules';

/** `tabs.sendMessage` to the top frame of a tab; resolves to the content script's answer. */
export interface TabPort {
  send(tabId: number, command: TabCommand): Promise<unknown>;
}

export interface WindowPort {
  /** `windows.create`; the id of the window's first tab, if the browser says. */
  open(options: { url: string; type: 'popup'; width: number; height: number }): Promise<number | undefined>;
}

export interface RegisteredScript {
  id: string;
  matches: string[];
  js: string[];
  runAt: 'document_idle';
  persistAcrossSessions: boolean;
}

export interface ScriptingPort {
  register(script: RegisteredScript): Promise<void>;
  unregister(ids: string[]): Promise<void>;
  registeredIds(): Promise<string[]>;
  inject(tabId: number, files: string[]): Promise<void>;
}

export interface PermissionsPort {
  contains(origins: string[]): Promise<boolean>;
  remove(origins: string[]): Promise<boolean>;
}

export interface BrowserPorts {
  tabs: TabPort;
  windows: WindowPort;
  scripting: ScriptingPort;
  permissions: PermissionsPort;
  /** `runtime.getURL`. */
  getURL(path: string): string;
  /** The built content script's files (the manifest's first content script). */
  contentScriptFiles(): string[];
  /** `declarativeNetRequest` (issue 6); optional so tests that do not look at rules need no fake. */
  dnr?: DnrPort;
}

export function browserPorts(): BrowserPorts {
  return {
    tabs: { send: (tabId, command) => browser.tabs.sendMessage(tabId, command, { frameId: 0 }) },
    windows: {
      // Firefox for Android has no windows API; desktop browsers always do.
      open: async (options) => (await browser.windows!.create(options))?.tabs?.[0]?.id,
    },
    scripting: {
      register: (script) => browser.scripting.registerContentScripts([script as never]),
      unregister: (ids) => browser.scripting.unregisterContentScripts({ ids }),
      registeredIds: async () => (await browser.scripting.getRegisteredContentScripts()).map((s) => s.id),
      inject: async (tabId, files) => {
        await browser.scripting.executeScript({ target: { tabId }, files: files as never });
      },
    },
    permissions: {
      contains: (origins) => browser.permissions.contains({ origins }),
      remove: (origins) => browser.permissions.remove({ origins }),
    },
    getURL: (path) => browser.runtime.getURL(path as never),
    contentScriptFiles: () => [...(browser.runtime.getManifest().content_scripts?.[0]?.js ?? [])],
    dnr: {
      getDynamicRules: () => browser.declarativeNetRequest.getDynamicRules() as never,
      updateDynamicRules: (update) => browser.declarativeNetRequest.updateDynamicRules(update as never),
      getSessionRules: () => browser.declarativeNetRequest.getSessionRules() as never,
      updateSessionRules: (update) => browser.declarativeNetRequest.updateSessionRules(update as never),
    },
  };
}

/**
 * Sends a command to the tab's content script: true only when it answered
 * `{ok: true}`. No receiver (the tab navigated, the script is not injected) and
 * any error answer are both "not delivered".
 */
export async function deliver(tabs: TabPort, tabId: number, command: TabCommand): Promise<boolean> {
  try {
    const answer = await tabs.send(tabId, command);
    return isResult(answer) && answer.ok;
  } catch {
    return false;
  }
}
