import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ConvoxConnectionError,
  ConvoxHttpError,
  ConvoxResponseError,
  ConvoxStreamError,
  createConvoxClient,
  createWsSocketFactory,
  type WebSocketLike,
} from "./index.js";
import { type FakeRack, startFakeRack } from "./testing/index.js";

let rack: FakeRack;
const clientFor = (password = "right", url = rack.url) =>
  createConvoxClient({ url, password, fetch, openWebSocket: createWsSocketFactory() });

beforeAll(async () => {
  rack = await startFakeRack({ password: "right" });
});
afterAll(() => rack.close());
beforeEach(() => {
  rack.reset();
  rack.setDown(false);
});

describe("client errors", () => {
  it("turns a 401 into ConvoxHttpError with the rack's error field", async () => {
    const error = await clientFor("wrong")
      .listApps()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvoxHttpError);
    expect(error).toMatchObject({ status: 401, code: "invalid authentication" });
    expect((error as ConvoxHttpError).body).toBe('{\n  "error": "invalid authentication"\n}\n');
  });

  it("reports 404s of missing things", async () => {
    await expect(clientFor().getApp("ghost")).rejects.toMatchObject({
      status: 404,
      code: "app not found: ghost",
    });
    await expect(clientFor().getRelease("myapp", "RNOPE")).rejects.toMatchObject({ status: 404 });
  });

  it("turns an unreachable rack into ConvoxConnectionError with a cause", async () => {
    rack.setDown(true);
    const error = await clientFor()
      .system()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvoxConnectionError);
    expect((error as ConvoxConnectionError).cause).toBeInstanceOf(Error);
    await expect(clientFor().check()).rejects.toBeInstanceOf(ConvoxConnectionError);
  });

  it("turns a refused websocket upgrade into ConvoxHttpError", async () => {
    const lines = clientFor("wrong").streamLogs("myapp");
    const error = await (async () => {
      for await (const _line of lines) {
        // no output expected
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvoxHttpError);
    expect(error).toMatchObject({ status: 401, code: "invalid authentication" });
  });

  it("turns an ERROR: frame into ConvoxStreamError", async () => {
    const stream = clientFor().streamLogs("ghost");
    await expect(
      (async () => {
        for await (const _line of stream) {
          // no output expected
        }
      })(),
    ).rejects.toThrow(ConvoxStreamError);
    await expect(clientFor().exec("myapp", "web-nope", "echo x")).rejects.toMatchObject({
      name: "ConvoxStreamError",
      streamMessage: "process not found: web-nope",
    });
  });

  it("rejects exec when the socket closes before an exit code", async () => {
    const closing = (): WebSocketLike => {
      const socket: WebSocketLike = {
        onopen: null,
        onmessage: null,
        onerror: null,
        onclose: null,
        send: () => undefined,
        close: () => undefined,
      };
      setTimeout(() => {
        socket.onopen?.();
        socket.onmessage?.("partial output\n");
        socket.onclose?.(1006, "");
      }, 1);
      return socket;
    };
    const client = createConvoxClient({ url: rack.url, password: "right", fetch, openWebSocket: closing });
    let output = "";
    const error = await client
      .exec("myapp", "p", "x", { onOutput: (t) => (output += t) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvoxConnectionError);
    expect(output).toBe("partial output\n");
  });

  it("rejects a stream that ends without an exit code", async () => {
    const eofOnly = (): WebSocketLike => {
      const socket: WebSocketLike = {
        onopen: null,
        onmessage: null,
        onerror: null,
        onclose: null,
        send: () => undefined,
        close: () => undefined,
      };
      setTimeout(() => socket.onmessage?.(new Uint8Array(0)), 1);
      return socket;
    };
    const client = createConvoxClient({ url: rack.url, password: "right", fetch, openWebSocket: eofOnly });
    await expect(client.exec("myapp", "p", "x")).rejects.toThrow(/without an exit code/);
  });

  it("aborts an exec through its signal", async () => {
    const [process] = await clientFor().listProcesses("myapp");
    const controller = new AbortController();
    const running = clientFor().exec("myapp", process!.id, "sleep 10000", { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user pressed ctrl-c")), 20);
    await expect(running).rejects.toThrow("user pressed ctrl-c");
  });

  it("reports a 2xx answer that is not JSON", async () => {
    const client = createConvoxClient({
      url: rack.url,
      password: "right",
      fetch: async () => new Response("<html>proxy login</html>", { status: 200 }),
      openWebSocket: createWsSocketFactory(),
    });
    await expect(client.listApps()).rejects.toBeInstanceOf(ConvoxResponseError);
  });

  it("run tolerates its helper process being gone already when it stops it", async () => {
    const real = createWsSocketFactory();
    const client = createConvoxClient({
      url: rack.url,
      password: "right",
      fetch,
      openWebSocket: (url, init) => {
        const socket = real(url, init);
        const wrapper: WebSocketLike = {
          onopen: null,
          onmessage: null,
          onerror: null,
          onclose: null,
          send: (data) => socket.send(data),
          close: (code, reason) => socket.close(code, reason),
        };
        socket.onopen = () => {
          // The process dies on its own while the command runs.
          rack.state.processes = rack.state.processes.filter((p) => !url.includes(`/processes/${p.id}/`));
          wrapper.onopen?.();
        };
        socket.onmessage = (data) => wrapper.onmessage?.(data);
        socket.onerror = (error) => wrapper.onerror?.(error);
        socket.onclose = (code, reason) => wrapper.onclose?.(code, reason);
        return wrapper;
      },
    });
    await expect(client.run("myapp", "web", "exit 4")).resolves.toEqual({ exitCode: 4 });
    expect(rack.requests.at(-1)?.method).toBe("DELETE");
  });
});
