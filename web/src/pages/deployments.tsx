import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function DeploymentsPage() {
  return (
    <Page title="Deployments">
      <p>This page is not built yet.</p>
    </Page>
  );
}
