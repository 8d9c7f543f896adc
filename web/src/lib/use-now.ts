import { useEffect, useState } from 'react';

/** The current time, re-read every `ms` while `ticking` (durations of running work count up). */
export function useNow(ticking: boolean, ms = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ticking, ms]);
  return now;
}
