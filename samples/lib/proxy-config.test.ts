import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor } from './proxy-config.js';

const url = (u: string): URL => new URL(u);

describe('bypassesProxy', () => {
  // The engine's own list: loopback goes direct, service names go through the proxy.
  const engineList = '127.0.0.1,localhost';

  it('sends service names through the proxy and loopback directly', () => {
    expect(bypassesProxy(url('http://reviews:9080/'), engineList)).toBe(false);
    expect(bypassesProxy(url('http://127.0.0.1:9080/'), engineList)).toBe(true);
    expect(bypassesProxy(url('http://localhost:3000/'), engineList)).toBe(true);
  });

  it('matches subdomains, leading dots, wildcards and ports', () => {
    expect(bypassesProxy(url('http://api.example.com/'), '.example.com')).toBe(true);
    expect(bypassesProxy(url('http://api.example.com/'), '*.example.com')).toBe(true);
    expect(bypassesProxy(url('http://notexample.com/'), 'example.com')).toBe(false);
    expect(bypassesProxy(url('http://anything/'), '*')).toBe(true);
    expect(bypassesProxy(url('http://ratings:9080/'), 'ratings:9080')).toBe(true);
    expect(bypassesProxy(url('http://ratings:8080/'), 'ratings:9080')).toBe(false);
    expect(bypassesProxy(url('http://[::1]:80/'), '[::1]')).toBe(true);
  });
});

describe('proxyFor', () => {
  it('uses explicit settings over the environment', () => {
    expect(proxyFor(url('http://details:9080/'), { proxy: 'http://127.0.0.1:15001', noProxy: '' })?.port).toBe('15001');
    expect(proxyFor(url('http://details:9080/'), { proxy: '', noProxy: '' })).toBeUndefined();
    expect(proxyFor(url('http://localhost:1/'), { proxy: 'http://127.0.0.1:15001', noProxy: 'localhost' })).toBeUndefined();
  });

  it('reads HTTP_PROXY and NO_PROXY at call time', () => {
    const saved = { p: process.env.HTTP_PROXY, n: process.env.NO_PROXY };
    try {
      process.env.HTTP_PROXY = '127.0.0.1:4000';
      process.env.NO_PROXY = 'localhost';
      expect(proxyFor(url('http://details:9080/'))?.href).toBe('http://127.0.0.1:4000/');
      expect(proxyFor(url('http://localhost:9080/'))).toBeUndefined();
      delete process.env.HTTP_PROXY;
      expect(proxyFor(url('http://details:9080/'))).toBeUndefined();
    } finally {
      restore('HTTP_PROXY', saved.p);
      restore('NO_PROXY', saved.n);
    }
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
