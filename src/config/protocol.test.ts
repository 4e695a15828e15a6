import { describe, expect, it } from 'vitest';
import { portProtocol } from './protocol.js';

describe('portProtocol (Istio protocol selection)', () => {
  it('reads appProtocol first, then the name prefix', () => {
    expect(portProtocol({ name: 'web', appProtocol: 'grpc' })).toBe('http2');
    expect(portProtocol({ name: 'grpc-web', appProtocol: 'http' })).toBeUndefined();
    expect(portProtocol({ appProtocol: 'kubernetes.io/h2c' })).toBe('http2');
    expect(portProtocol({ name: 'grpc' })).toBe('http2');
    expect(portProtocol({ name: 'http2-api' })).toBe('http2');
    expect(portProtocol({ name: 'grpcx' })).toBeUndefined();
    expect(portProtocol({ name: 'http' })).toBeUndefined();
    expect(portProtocol({})).toBeUndefined();
  });

  it("reads a ServiceEntry port's protocol", () => {
    expect(portProtocol({ name: 'api', protocol: 'GRPC' })).toBe('http2');
    expect(portProtocol({ name: 'grpc-api', protocol: 'HTTP' })).toBeUndefined();
  });

  it('takes tcp (appProtocol, ServiceEntry protocol, name tcp or tcp-…) and the TCP-based protocols for a byte stream', () => {
    expect(portProtocol({ name: 'tcp' })).toBe('tcp');
    expect(portProtocol({ name: 'tcp-echo' })).toBe('tcp');
    expect(portProtocol({ name: 'mongo' })).toBe('tcp');
    expect(portProtocol({ name: 'web', appProtocol: 'tcp' })).toBe('tcp');
    expect(portProtocol({ name: 'db', protocol: 'TCP' })).toBe('tcp');
    expect(portProtocol({ name: 'tcpx' })).toBeUndefined();
    expect(portProtocol({ name: 'tcp', appProtocol: 'http' })).toBeUndefined();
  });
});
