import { Link } from 'wouter';
import { Page } from '../components/page';
import { href } from '../links';

export function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        Nothing lives at <code>{window.location.pathname}</code>. <Link href={href.home()}>Back to the home page</Link>, or search with{' '}
        <kbd>/</kbd>.
      </p>
    </Page>
  );
}
