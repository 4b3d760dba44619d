/** A screen the console will have but does not yet: said plainly, not a blank page. */
export function ComingNext({ title }: { title: string }) {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      <p className="placeholder">Coming next: this screen is not built yet.</p>
    </section>
  );
}

export function NotFound() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Page not found</h1>
      <p>There is no console page at this address.</p>
    </section>
  );
}
