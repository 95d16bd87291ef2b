"use client";

import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

/**
 * After a client navigation to another page, focus that was on something the old page removed
 * (the link just followed, a form's button) would fall to <body>, and the next Tab would start
 * over at the skip link. Then focus goes to the page's content instead (#main), where a keyboard
 * user carries on. Focus still on something that stayed (a navigation link) is left alone.
 */
export function FocusMainOnNavigate() {
  const pathname = usePathname();
  const seen = useRef(pathname);
  useEffect(() => {
    if (seen.current === pathname) return;
    seen.current = pathname;
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) document.getElementById("main")?.focus({ preventScroll: true });
  }, [pathname]);
  return null;
}
