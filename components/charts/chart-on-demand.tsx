"use client";

import { useEffect, useRef, useState, type ComponentType, type ReactNode } from "react";

/**
 * A chart drawn first as static SVG (`children`), replaced by its Recharts version (tooltips,
 * hover, keyboard navigation) on the first pointer, touch or focus inside it. Recharts (~105 KB
 * gzip) is fetched only then, so the Overview's first load stays small. The Recharts chart is
 * laid over the static one and the static one is hidden once Recharts has drawn, so nothing
 * flickers; focus inside the static chart moves to the Recharts one.
 */
export function ChartOnDemand<P extends object>({
  load,
  props,
  testId,
  children,
}: {
  load: () => Promise<ComponentType<P>>;
  props: P;
  testId: string;
  children: ReactNode;
}) {
  const [Chart, setChart] = useState<ComponentType<P> | null>(null);
  const [drawn, setDrawn] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const live = useRef<HTMLDivElement>(null);
  const requested = useRef(false);
  const arm = () => {
    if (requested.current) return;
    requested.current = true;
    void load().then(
      (c) => setChart(() => c),
      () => {
        requested.current = false;
      },
    );
  };
  useEffect(() => {
    const el = live.current;
    if (!Chart || !el) return;
    // Recharts draws after measuring its box: swap once its axes (drawn with the bars) are in the DOM.
    const done = () => {
      if (!el.querySelector(".recharts-cartesian-axis-tick-value")) return false;
      const hadFocus = box.current?.querySelector(":focus") && !el.contains(document.activeElement);
      setDrawn(true);
      if (hadFocus) el.querySelector<SVGElement>("svg[tabindex='0']")?.focus();
      return true;
    };
    if (done()) return;
    const observer = new MutationObserver(() => done() && observer.disconnect());
    observer.observe(el, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [Chart]);
  return (
    <div ref={box} className="relative" data-testid={testId} data-chart={drawn ? "recharts" : "static"} onPointerEnter={arm} onTouchStart={arm} onFocus={arm}>
      <div className={drawn ? "invisible" : undefined} aria-hidden={drawn || undefined}>
        {children}
      </div>
      {Chart && (
        <div ref={live} className="absolute inset-0">
          <Chart {...props} />
        </div>
      )}
    </div>
  );
}
