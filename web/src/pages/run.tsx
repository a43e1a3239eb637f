import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function RunPage() {
  return (
    <Page title="Run">
      <p>This page is not built yet.</p>
    </Page>
  );
}
