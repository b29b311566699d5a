import { useQuery } from '@tanstack/react-query';
import { useApi } from '../context';
import { ApiError } from '../lib/api';
import { formatPhone } from '../lib/phone';
import type { QrAnswer, Session } from '../lib/types';
import { StatusBadge } from './StatusBadge';

/** Which statuses still wait for the phone (a QR or pairing code to show). */
const LINKING = new Set(['REGISTERING', 'CONNECTING']);

export function useSession(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['session', id],
    queryFn: () => api.get<{ session: Session }>(`/api/sessions/${encodeURIComponent(id)}`),
    select: (r) => r.session,
  });
}

/**
 * Linking a session: the QR (or pairing code) large, replaced as WhatsApp rotates it (each
 * `session.qr` event refreshes it), until the phone links; then the number and READY.
 */
export function LinkPanel({ id }: { id: string }) {
  const api = useApi();
  const session = useSession(id);
  const s = session.data;
  const waiting = !!s && s.status === 'REGISTERING';
  const qr = useQuery({
    queryKey: ['qr', id],
    queryFn: () => api.get<QrAnswer>(`/api/sessions/${encodeURIComponent(id)}/qr`),
    enabled: waiting,
    staleTime: Infinity,
    retry: (count, err) => err instanceof ApiError && err.code === 'QR_NOT_AVAILABLE' && count < 10,
    retryDelay: 2000,
  });

  if (session.isError) {
    return (
      <p role="alert" className="error">
        Could not load the session: {session.error.message}
      </p>
    );
  }
  if (!s) return <p role="status">Loading…</p>;

  if (s.status === 'READY') {
    return (
      <div className="linked" role="status">
        <p className="linked-title">
          Linked <StatusBadge status="READY" />
        </p>
        <p className="linked-number">{formatPhone(s.mobile_number) || 'Number not reported yet'}</p>
        {s.pushName && <p className="muted">WhatsApp name: {s.pushName}</p>}
        <p>Messages can now be sent from this number.</p>
      </div>
    );
  }

  return (
    <div className="link-panel">
      <p className="link-status" role="status">
        Status: <StatusBadge status={s.status} /> {LINKING.has(s.status) ? 'Waiting for the phone…' : ''}
      </p>
      {s.status === 'REGISTERING' && s.method === 'qr' && (
        <>
          <ol className="steps">
            <li>Open WhatsApp on the phone.</li>
            <li>
              Go to <strong>Settings → Linked devices → Link a device</strong>.
            </li>
            <li>Point the phone at this code. It changes every few seconds; this one follows it.</li>
          </ol>
          {qr.data?.qrCodeDataUrl ? (
            <img className="qr" src={qr.data.qrCodeDataUrl} alt={`QR code to link ${s.name ?? 'the session'}`} width={320} height={320} />
          ) : qr.isError ? (
            <QrError err={qr.error} retry={() => void qr.refetch()} />
          ) : (
            <p className="qr qr-placeholder" role="status">
              Waiting for the QR code…
            </p>
          )}
        </>
      )}
      {s.status === 'REGISTERING' && s.method === 'phone' && (
        <>
          <ol className="steps">
            <li>Open WhatsApp on the phone.</li>
            <li>
              Go to <strong>Settings → Linked devices → Link a device → Link with phone number instead</strong>.
            </li>
            <li>Type this code:</li>
          </ol>
          {qr.data?.pairingCode ? (
            <p className="pairing-code" aria-label={`Pairing code ${qr.data.pairingCode.split('').join(' ')}`}>
              {qr.data.pairingCode}
            </p>
          ) : qr.isError ? (
            <QrError err={qr.error} retry={() => void qr.refetch()} />
          ) : (
            <p role="status">Waiting for the pairing code…</p>
          )}
        </>
      )}
      {(s.status === 'INACTIVE' || s.status === 'LOGGED_OUT') && (
        <p>This session is not linking. Use “Relink” to start again with a new code.</p>
      )}
    </div>
  );
}

function QrError({ err, retry }: { err: Error; retry: () => void }) {
  return (
    <div role="alert" className="error">
      <p>{err instanceof ApiError && err.code === 'QR_NOT_AVAILABLE' ? 'No code yet.' : `Could not get the code: ${err.message}`}</p>
      <button type="button" className="button secondary" onClick={retry}>
        Try again
      </button>
    </div>
  );
}
