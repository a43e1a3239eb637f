import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function DatasetPage() {
  return (
    <Page title="Dataset">
      <p>This page is not built yet.</p>
    </Page>
  );
}
