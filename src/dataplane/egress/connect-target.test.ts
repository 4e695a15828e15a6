import { describe, expect, it } from 'vitest';
import { parseConnectTarget } from './connect-target.js';

describe('CONNECT targets', () => {
  it('reads host:port, IPv4 and bracketed IPv6, lowercase, without a trailing dot', () => {
    expect(parseConnectTarget('API.Example.com:443')).toEqual({ host: 'api.example.com', port: 443 });
    expect(parseConnectTarget('api.example.com.:8443')).toEqual({ host: 'api.example.com', port: 8443 });
    expect(parseConnectTarget('10.0.0.7:5432')).toEqual({ host: '10.0.0.7', port: 5432 });
    expect(parseConnectTarget('[2001:db8::1]:443')).toEqual({ host: '2001:db8::1', port: 443 });
  });

  it.each([
    ['api.example.com', 'the port is missing'],
    ['api.example.com:https', 'the port is not a number'],
    ['api.example.com:0', 'out of range'],
    ['api.example.com:70000', 'out of range'],
    ['http://api.example.com/', 'no scheme, userinfo or path'],
    ['user@api.example.com:443', 'no scheme, userinfo or path'],
    ['[2001:db8::1:443', 'IPv6 address goes in brackets'],
    [':443', 'not a DNS name or IP address'],
    ['bad host:443', 'not a DNS name or IP address'],
    ['-x.example.com:443', 'not a DNS name or IP address'],
  ])('refuses %s: %s, with the form to send', (target, why) => {
    const r = parseConnectTarget(target);
    expect(r).toHaveProperty('error');
    expect((r as { error: string }).error).toContain(why);
    expect((r as { error: string }).error).toContain('send CONNECT host:port');
  });
});
