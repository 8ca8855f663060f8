import type { Logger } from '../kernel/logger.ts';

/** An open development tunnel: its public URL, and how to close it. */
export type Tunnel = { url: string; close(): Promise<void> };

/**
 * Opens an ngrok tunnel (the official `@ngrok/ngrok` SDK, its agent built into the package) to the local
 * listener, so Telnyx's webhooks reach a laptop. Loaded on demand: only a developer with a token needs it.
 * A failure is logged and the service runs on without a tunnel.
 */
export async function openTunnel(options: { port: number; authtoken: string; logger: Logger }): Promise<Tunnel | undefined> {
  try {
    const ngrok = await import('@ngrok/ngrok');
    const listener = await ngrok.forward({ addr: options.port, authtoken: options.authtoken });
    const url = listener.url();
    if (!url) throw new Error('ngrok opened no URL');
    options.logger.info({ url }, 'tunnel open: Telnyx webhooks arrive through it');
    return { url, close: () => listener.close() };
  } catch (err) {
    options.logger.warn({ err }, 'the ngrok tunnel could not open; webhooks from Telnyx will not arrive');
    return undefined;
  }
}
