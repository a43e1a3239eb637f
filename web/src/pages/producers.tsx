import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function ProducersPage() {
  return (
    <Page title="Producers">
      <p>This page is not built yet.</p>
    </Page>
  );
}
