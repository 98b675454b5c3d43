import { describe, expect, it } from "vitest";
import { createConcurrencyLimiter, createSemaphore } from "./concurrency.js";

describe("createConcurrencyLimiter", () => {
  it("gives each key up to the limit, and a slot back once released (once, however often release is called)", () => {
    const limiter = createConcurrencyLimiter(2);
    const first = limiter.tryAcquire("token:a");
    const second = limiter.tryAcquire("token:a");
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(limiter.tryAcquire("token:a")).toBeNull();
    expect(limiter.tryAcquire("token:b")).not.toBeNull();
    first?.();
    first?.();
    expect(limiter.tryAcquire("token:a")).not.toBeNull();
    expect(limiter.tryAcquire("token:a")).toBeNull();
  });

  it("refuses a limit that would let nothing through", () => {
    expect(() => createConcurrencyLimiter(0)).toThrow(RangeError);
  });
});

describe("createSemaphore", () => {
  it("lets waiters in, in arrival order, as slots are released", async () => {
    const semaphore = createSemaphore(1);
    const order: number[] = [];
    const holder = await semaphore.acquire();
    const waiters = [1, 2].map((n) =>
      semaphore.acquire().then((release) => {
        order.push(n);
        return release;
      }),
    );
    await Promise.resolve();
    expect(order).toEqual([]);
    holder();
    holder();
    const release1 = await waiters[0];
    expect(order).toEqual([1]);
    release1?.();
    await waiters[1];
    expect(order).toEqual([1, 2]);
  });
});
