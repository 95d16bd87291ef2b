/** A small spinning ring; decorative (the busy region around it says what is loading). */
export function Spinner({ className = "h-4 w-4" }: { className?: string }) {
  return (
    <span
      aria-hidden
      className={`inline-block shrink-0 animate-spin rounded-full border-2 border-current border-r-transparent align-[-0.125em] motion-reduce:animate-none ${className}`}
    />
  );
}
