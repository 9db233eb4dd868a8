import { describe, expect, it } from 'vitest';
import { areaOfPath } from './areas.ts';

describe('areaOfPath', () => {
  it.each([
    ['/', { area: 'public', api: false }],
    ['/?x=1', { area: 'public', api: false }],
    ['/CQRS2024', { area: 'public', api: false }],
    ['/CQRS2024/', { area: 'public', api: false }],
    ['/CQRS2024/register?orderId=1', { area: 'public', api: false }],
    ['/payment?paymentId=1&token=2', { area: 'public', api: false }],
    ['/api/conferences', { area: 'public', api: true }],
    ['/api/conferences/x/orders', { area: 'public', api: true }],
    ['/api/orders/1/seats', { area: 'public', api: true }],
    ['/api/payments/1', { area: 'public', api: true }],
    ['/manage', { area: 'management', api: false }],
    ['/manage/', { area: 'management', api: false }],
    ['/manage/CQRS2024/seats', { area: 'management', api: false }],
    ['/api/management/conferences', { area: 'management', api: true }],
    ['/%6Danage/x', { area: 'management', api: false }],
    ['/%61pi/orders/1', { area: 'public', api: true }],
    ['/%E0%A4%A', { area: 'public', api: false }],
  ])('%s is in an area', (path, expected) => {
    expect(areaOfPath(path)).toEqual(expected);
  });

  it.each([
    '/ops',
    '/ops/maintenance',
    '/api/ops/maintenance',
    '/health',
    '/health/ready',
    '/metrics',
    '/api/docs',
    '/api/docs/json',
    '/assets/site.css',
    '/assets/registration.css',
    '/manage/assets/manage.css',
    '/api/unknown',
    '/api',
  ])('%s stays up', (path) => {
    expect(areaOfPath(path)).toBeUndefined();
  });
});
