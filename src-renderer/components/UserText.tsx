// Text someone else chose — a name, a room name, a message — shown inside our own sentences and
// lists. <bdi dir="auto"> gives it its own direction and isolates it, so right-to-left text (or an
// override that slipped past the name rule, e.g. from another server) cannot reorder what is around it.
export function UserText({ text, className }: { text: string; className?: string }) {
  return (
    <bdi dir="auto" className={className}>
      {text}
    </bdi>
  );
}
