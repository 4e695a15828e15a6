import { afterEach, describe, expect, it } from 'vitest';
import type { Exchange } from './exchange.js';
import { closeAll, endpointAt, front, rawClient, reviews, send } from './fixtures.js';
import { CONTINUE, STOP, type Next, type Stage } from './stage.js';

afterEach(closeAll);

/** Writes its name into the log and goes on. */
class Mark implements Stage {
  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {}

  run(): Next {
    this.log.push(this.name);
    return CONTINUE;
  }
}

/** Stops, and resumes the pipeline on the next turn of the event loop, as a stage waiting for something does. */
class Later implements Stage {
  readonly name = 'later';

  constructor(private readonly log: string[]) {}

  run(x: Exchange): Next {
    this.log.push(`${this.name} at ${x.at}`);
    setImmediate(() => x.resume());
    return STOP;
  }
}

/** Answers 403 itself and stops. */
class Refuse implements Stage {
  readonly name = 'refuse';

  run(x: Exchange): Next {
    x.rec.status = 403;
    x.res.writeHead(403, { 'content-length': '8' });
    x.res.end('refused\n');
    return STOP;
  }
}

/** Throws; with `afterHead` once the answer's head is out. */
class Broken implements Stage {
  readonly name = 'broken';

  constructor(private readonly afterHead: boolean) {}

  run(x: Exchange): Next {
    if (this.afterHead) {
      x.res.writeHead(200, { 'content-length': '100' });
      x.res.write('part');
    }
    throw new Error('boom');
  }
}

const router = reviews([endpointAt(1)]);

describe('Pipeline', () => {
  it('runs the stages in order, each after the previous went on', async () => {
    const log: string[] = [];
    const f = await front([new Mark('a', log), new Mark('b', log), new Mark('c', log)], router);
    const r = await send(f.port);
    expect(r.body).toBe('reached\n');
    expect(log).toEqual(['a', 'b', 'c']);
    expect(f.pipeline.stages.map((s) => s.name)).toEqual(['a', 'b', 'c', 'reached']);
  });

  it('ends where a stage stops: the stages after it never run', async () => {
    const log: string[] = [];
    const f = await front([new Mark('a', log), new Refuse(), new Mark('b', log)], router);
    const r = await send(f.port);
    expect(r.status).toBe(403);
    expect(log).toEqual(['a']);
    expect((await f.closed(0)).at).toBe(1);
  });

  it('goes on from the stage after one that stopped and resumed', async () => {
    const log: string[] = [];
    const f = await front([new Mark('a', log), new Later(log), new Mark('b', log), new Later(log), new Mark('c', log)], router);
    expect((await send(f.port)).body).toBe('reached\n');
    expect(log).toEqual(['a', 'later at 1', 'b', 'later at 3', 'c']);
  });

  it('answers 500 for a stage that throws, and keeps the connection for the next request', async () => {
    const f = await front([new Broken(false)], router);
    const s = await rawClient(f.port, 'GET / HTTP/1.1\r\nhost: reviews:9080\r\n\r\n');
    let got = '';
    await new Promise<void>((resolve) => {
      s.on('data', (c: Buffer) => {
        got += c.toString('latin1');
        if (got.split('proxy error: boom').length === 3) resolve();
        else if (got.endsWith('boom\n')) s.write('GET / HTTP/1.1\r\nhost: reviews:9080\r\n\r\n');
      });
    });
    expect(got).toMatch(/^HTTP\/1\.1 500 /);
    expect((await f.closed(1)).rec.status).toBe(500);
  });

  it('cuts the connection when a stage throws after the head went out', async () => {
    const f = await front([new Broken(true)], router);
    const s = await rawClient(f.port, 'GET / HTTP/1.1\r\nhost: reviews:9080\r\n\r\n');
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString('latin1')));
    await new Promise<void>((r) => s.on('close', () => r()));
    expect(got).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\npart$/);
    expect((await f.closed(0)).res.writableFinished).toBe(false);
  });
});
