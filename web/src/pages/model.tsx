import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function ModelPage() {
  return (
    <Page title="Model">
      <p>This page is not built yet.</p>
    </Page>
  );
}
