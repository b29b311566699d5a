import { useEffect, useState } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { nextStatus } from './lib/messages';
import { openEventStream, type StreamState } from './lib/sse';
import type { EventEnvelope } from './lib/types';

/** A message query's data (`['message', id or number]`): only what an event changes. */
type MessageData = { message: { id: string; status: string } };

/**
 * Keeps the tab's data live: reads `/api/events` (one stream per tab, shared by every page) and
 * refreshes the queries an event makes stale. After a reconnection (the stream resumes with
 * Last-Event-ID) or a `stream.reset`, everything is refreshed once.
 */
export function useLiveEvents(token: string, queryClient: QueryClient, onUnauthorized: () => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  useEffect(() => {
    let overviewTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshOverviewSoon = () => {
      // Message events come in bursts: one overview refresh per second at most.
      overviewTimer ??= setTimeout(() => {
        overviewTimer = undefined;
        void queryClient.invalidateQueries({ queryKey: ['overview'] });
      }, 1000);
    };
    let messagesTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshMessagesSoon = () => {
      // The message log: one refresh per 300 ms at most (a bulk send is a burst of events).
      messagesTimer ??= setTimeout(() => {
        messagesTimer = undefined;
        void queryClient.invalidateQueries({ queryKey: ['messages'] });
      }, 300);
    };
    let wasOpen = false;
    const stream = openEventStream({
      url: '/api/events',
      token: () => token,
      fetch: (url, init) => fetch(url, init),
      onState: (s) => {
        setState(s);
        if (s === 'open') {
          if (wasOpen) void queryClient.invalidateQueries();
          wasOpen = true;
        }
        if (s === 'unauthorized') onUnauthorized();
      },
      onEvent: (e) => {
        if (e.event === 'stream.reset') {
          void queryClient.invalidateQueries();
          return;
        }
        let envelope: EventEnvelope;
        try {
          envelope = JSON.parse(e.data) as EventEnvelope;
        } catch {
          return;
        }
        const id = envelope.sessionId;
        switch (envelope.event) {
          case 'session.status':
            if (id && typeof envelope.data?.status === 'string') {
              queryClient.setQueryData(['session', id], (old: { session: object } | undefined) =>
                old ? { ...old, session: { ...old.session, status: envelope.data.status } } : old,
              );
            }
            void queryClient.invalidateQueries({ queryKey: ['session'] });
            void queryClient.invalidateQueries({ queryKey: ['sessions'] });
            void queryClient.invalidateQueries({ queryKey: ['history'] });
            refreshOverviewSoon();
            break;
          case 'session.created':
            // A session another client (or tab) created: the list shows it at once.
            void queryClient.invalidateQueries({ queryKey: ['sessions'] });
            refreshOverviewSoon();
            break;
          case 'session.qr': {
            if (id) void queryClient.invalidateQueries({ queryKey: ['qr', id] });
            // A session created by another client has no status event yet: its first QR is how
            // the list learns about it.
            const list = queryClient.getQueryData<{ sessions: { sessionId: string }[] }>(['sessions']);
            if (id && list && !list.sessions.some((s) => s.sessionId === id)) void queryClient.invalidateQueries({ queryKey: ['sessions'] });
            break;
          }
          case 'message.status': {
            // A message's page (keyed by its id or its number) gets the new status at once, never
            // an older one (events of one message can overtake each other across reconnects).
            const messageId = envelope.data?.messageId as string | undefined;
            const status = envelope.data?.status as string | undefined;
            if (messageId && status) {
              for (const [key, old] of queryClient.getQueriesData<MessageData>({ queryKey: ['message'] })) {
                // A page still loading its first answer may get a state older than this event:
                // fetch it again (the in-flight request is cancelled), or the last status is lost.
                if (!old) {
                  void queryClient.invalidateQueries({ queryKey: key, exact: true });
                  continue;
                }
                if (old.message.id !== messageId) continue;
                queryClient.setQueryData(key, { ...old, message: { ...old.message, status: nextStatus(old.message.status, status) } });
                void queryClient.invalidateQueries({ queryKey: key, exact: true });
              }
            }
            refreshMessagesSoon();
            refreshOverviewSoon();
            break;
          }
          case 'message.received':
            refreshMessagesSoon();
            // Contacts: someone new writing in.
            void queryClient.invalidateQueries({ queryKey: ['contacts'] });
            refreshOverviewSoon();
            break;
          case 'contact.opt_in':
            void queryClient.invalidateQueries({ queryKey: ['contacts'] });
            refreshOverviewSoon();
            break;
          default:
            refreshOverviewSoon();
        }
      },
    });
    return () => {
      stream.close();
      if (overviewTimer) clearTimeout(overviewTimer);
      if (messagesTimer) clearTimeout(messagesTimer);
    };
  }, [token, queryClient, onUnauthorized]);
  return state;
}
