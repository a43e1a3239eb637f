import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function LineagePage() {
  return (
    <Page title="Lineage">
      <p>This page is not built yet.</p>
    </Page>
  );
}
