import { conferencePath } from './public-layout.tsx';

/** The addresses of a conference's registration pages (API.md "Page routes"). */
export function registrationPaths(slug: string) {
  const base = conferencePath(slug);
  const order = (orderId: string) => `${base}/order/${encodeURIComponent(orderId)}`;
  const withOrder = (path: string, orderId: string) => `${base}/${path}?orderId=${encodeURIComponent(orderId)}`;
  return {
    conference: `${base}/`,
    register: `${base}/register`,
    changeSeats: (orderId: string) => withOrder('register', orderId),
    checkout: (orderId: string) => withOrder('registrant', orderId),
    confirmation: (orderId: string) => withOrder('confirmation', orderId),
    expired: (orderId: string) => withOrder('expired', orderId),
    handOff: (paymentId: string) => `${base}/third-party-payment?paymentId=${encodeURIComponent(paymentId)}`,
    paymentAccepted: `${base}/third-party-payment/accept`,
    paymentRejected: `${base}/third-party-payment/reject`,
    locate: `${base}/order/find`,
    order,
    seats: (orderId: string) => `${order(orderId)}/seats`,
  };
}

export type RegistrationPaths = ReturnType<typeof registrationPaths>;
