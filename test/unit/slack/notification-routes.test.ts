import { describe, expect, it } from 'vitest';
import { LIFECYCLE_EVENT_NAMES } from '../../../functions/events/lifecycle';
import { NotificationRoutesError } from '../../../functions/slack/errors';
import {
  readNotificationRoutes,
  routeNotification,
  serializeNotificationRoutes,
} from '../../../functions/slack/notification-routes';

describe('notification routes', () => {
  const json = serializeNotificationRoutes([
    { name: 'churn', notifications: { events: [...LIFECYCLE_EVENT_NAMES], mention: '<!subteam^S1>' } },
    { name: 'fraud', notifications: { events: ['Dataset Rejected', 'Dataset Rejected'], webhookKey: 'fraud-team' } },
  ]);

  it('writes every event as "all" and drops duplicates, to keep the environment small', () => {
    expect(JSON.parse(json)).toEqual({
      churn: { events: 'all', mention: '<!subteam^S1>' },
      fraud: { events: ['Dataset Rejected'], webhookKey: 'fraud-team' },
    });
  });

  it('reads back what it wrote', () => {
    const routes = readNotificationRoutes(json);
    expect(routes.get('churn')?.events.size).toBe(LIFECYCLE_EVENT_NAMES.length);
    expect(routes.get('churn')?.mention).toBe('<!subteam^S1>');
    expect(routes.get('fraud')).toEqual({ events: new Set(['Dataset Rejected']), webhookKey: 'fraud-team' });
  });

  it('decides per pipeline and event, with the reason for a skip', () => {
    const routes = readNotificationRoutes(json);
    expect(routeNotification(routes, 'fraud', 'Dataset Rejected')).toMatchObject({ kind: 'notify' });
    expect(routeNotification(routes, 'fraud', 'Dataset Accepted')).toEqual({
      kind: 'skip',
      reason: '"Dataset Accepted" is not in notifications.events of pipeline "fraud"',
    });
    expect(routeNotification(routes, 'ads', 'Dataset Accepted')).toEqual({
      kind: 'skip',
      reason: 'pipeline "ads" has no notification settings',
    });
  });

  it('fails with a NotificationRoutesError on a value lib/ would never write', () => {
    expect(() => readNotificationRoutes('{')).toThrow(NotificationRoutesError);
    expect(() => readNotificationRoutes('{"churn": {"events": ["Dataset Exploded"]}}')).toThrow(
      /NOTIFICATION_ROUTES is invalid: churn\.events/,
    );
    expect(() => readNotificationRoutes('{"churn": {"events": "all", "extra": 1}}')).toThrow(NotificationRoutesError);
  });
});
